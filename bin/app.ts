/** Entry of the CDK app (cdk.json "app"); everything is built in lib/app.ts. */
import { createApp } from '../lib/app';

createApp();
