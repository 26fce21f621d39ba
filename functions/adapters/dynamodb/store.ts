import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GrantStore, NotificationLedger } from '../../domain/ports.ts';
import { DynamoAudit } from './audit.ts';
import { DynamoAuditChain } from './chain.ts';
import { DynamoContacts } from './contacts.ts';
import type { CursorCodec } from './cursor.ts';
import { DynamoGrants } from './grants.ts';
import { DynamoInstructions } from './instructions.ts';
import { DynamoNotificationLedger } from './ledger.ts';
import { DynamoLinks } from './links.ts';
import { IndexShards } from './shards.ts';
import { Table } from './table.ts';

/**
 * GrantStore and NotificationLedger on one DynamoDB table (docs/data-model.md for the keys and
 * why), one module per aggregate over a small table helper: grants (with their access pointer,
 * index and idempotency records), contacts, the audit log, the notification ledger, emailed links.
 */
export class DynamoGrantStore implements GrantStore, NotificationLedger {
  private readonly grants: DynamoGrants;
  private readonly contacts: DynamoContacts;
  private readonly audit: DynamoAudit;
  private readonly ledger: DynamoNotificationLedger;
  private readonly links: DynamoLinks;
  private readonly chain: DynamoAuditChain;
  private readonly instructions: DynamoInstructions;

  constructor(
    doc: DynamoDBDocumentClient,
    tableName: string,
    cursors: CursorCodec,
    shards: IndexShards = IndexShards.single,
  ) {
    const table = new Table(doc, tableName, cursors);
    this.grants = new DynamoGrants(table, shards);
    this.contacts = new DynamoContacts(table, this.grants);
    this.audit = new DynamoAudit(table);
    this.ledger = new DynamoNotificationLedger(table);
    this.links = new DynamoLinks(table);
    this.chain = new DynamoAuditChain(table);
    this.instructions = new DynamoInstructions(table);
  }

  getActiveAccess: GrantStore['getActiveAccess'] = (...a) => this.grants.getActiveAccess(...a);
  recordAccessCheck: GrantStore['recordAccessCheck'] = (...a) => this.grants.recordAccessCheck(...a);
  stampedChecks: GrantStore['stampedChecks'] = (...a) => this.grants.stampedChecks(...a);
  getGrant: GrantStore['getGrant'] = (...a) => this.grants.getGrant(...a);
  createGrant: GrantStore['createGrant'] = (...a) => this.grants.createGrant(...a);
  changeDeadline: GrantStore['changeDeadline'] = (...a) => this.grants.changeDeadline(...a);
  endGrant: GrantStore['endGrant'] = (...a) => this.grants.endGrant(...a);
  listGrants: GrantStore['listGrants'] = (...a) => this.grants.listGrants(...a);
  listActiveGrants: GrantStore['listActiveGrants'] = (...a) => this.grants.listActiveGrants(...a);
  listOverdueGrants: GrantStore['listOverdueGrants'] = (...a) => this.grants.listOverdueGrants(...a);
  appendWhileActive: GrantStore['appendWhileActive'] = (...a) => this.grants.appendWhileActive(...a);
  remindGrant: GrantStore['remindGrant'] = (...a) => this.grants.remindGrant(...a);
  listDueReminders: GrantStore['listDueReminders'] = (...a) => this.grants.listDueReminders(...a);
  getIdempotency: GrantStore['getIdempotency'] = (...a) => this.grants.getIdempotency(...a);

  getChainHead: GrantStore['getChainHead'] = (...a) => this.chain.getChainHead(...a);
  eventsToChain: GrantStore['eventsToChain'] = (...a) => this.chain.eventsToChain(...a);
  chainEvents: GrantStore['chainEvents'] = (...a) => this.chain.chainEvents(...a);
  chainedEvents: GrantStore['chainedEvents'] = (...a) => this.chain.chainedEvents(...a);
  chainLater: GrantStore['chainLater'] = (...a) => this.chain.chainLater(...a);
  checkMark: GrantStore['checkMark'] = (...a) => this.chain.checkMark(...a);
  advanceCheckMark: GrantStore['advanceCheckMark'] = (...a) => this.chain.advanceCheckMark(...a);
  receiptTally: GrantStore['receiptTally'] = (...a) => this.chain.receiptTally(...a);
  grantActivities: GrantStore['grantActivities'] = (...a) => this.chain.grantActivities(...a);
  unchainedGrantEvents: GrantStore['unchainedGrantEvents'] = (...a) => this.chain.unchainedGrantEvents(...a);

  createInstruction: GrantStore['createInstruction'] = (...a) => this.instructions.createInstruction(...a);
  getInstruction: GrantStore['getInstruction'] = (...a) => this.instructions.getInstruction(...a);
  changeInstruction: GrantStore['changeInstruction'] = (...a) => this.instructions.changeInstruction(...a);
  listInstructions: GrantStore['listInstructions'] = (...a) => this.instructions.listInstructions(...a);
  listConfirmedInstructions: GrantStore['listConfirmedInstructions'] = (...a) =>
    this.instructions.listConfirmedInstructions(...a);
  listLapsingInstructions: GrantStore['listLapsingInstructions'] = (...a) =>
    this.instructions.listLapsingInstructions(...a);

  issueLinks: GrantStore['issueLinks'] = (...a) => this.links.issueLinks(...a);
  getLink: GrantStore['getLink'] = (...a) => this.links.getLink(...a);
  useLink: GrantStore['useLink'] = (...a) => this.links.useLink(...a);

  addContact: GrantStore['addContact'] = (...a) => this.contacts.addContact(...a);
  getContact: GrantStore['getContact'] = (...a) => this.contacts.getContact(...a);
  findContactByEmail: GrantStore['findContactByEmail'] = (...a) => this.contacts.findContactByEmail(...a);
  listContacts: GrantStore['listContacts'] = (...a) => this.contacts.listContacts(...a);
  removeContact: GrantStore['removeContact'] = (...a) => this.contacts.removeContact(...a);

  appendEvent: GrantStore['appendEvent'] = (...a) => this.audit.appendEvent(...a);
  appendEventOnce: GrantStore['appendEventOnce'] = (...a) => this.audit.appendEventOnce(...a);
  listEvents: GrantStore['listEvents'] = (...a) => this.audit.listEvents(...a);

  claim: NotificationLedger['claim'] = (...a) => this.ledger.claim(...a);
  settle: NotificationLedger['settle'] = (...a) => this.ledger.settle(...a);
  release: NotificationLedger['release'] = (...a) => this.ledger.release(...a);
}
