/**
 * The console's API types come from the server's route table and schemas (src/api.ts), so the
 * compiler reads the server modules those import. One of them imports node:crypto, which the
 * console never loads: declared opaque here, so the console's program gets no Node globals.
 */
declare module 'node:crypto';
