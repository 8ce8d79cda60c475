/**
 * A reference for the cold-start section, not a function: a module that does
 * nothing but create the table client every function creates at init (the SDK's
 * DynamoDB client and document client, store/document-table.ts), bundled as the
 * functions are. Its import beyond hello-world is the floor that any function
 * reaching DynamoDB through the SDK pays.
 */
import { functionTable } from '../../functions/store/document-table';

const db = functionTable();

export const handler = async () => typeof db.get;
