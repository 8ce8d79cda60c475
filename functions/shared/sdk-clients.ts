/**
 * What every function's AWS SDK clients share. Everything else (region,
 * credentials, endpoint, retries) is the SDK's own default, read from the
 * environment Lambda gives a function (and AWS_ENDPOINT_URL_<SERVICE> or
 * AWS_ENDPOINT_URL where a local stand-in serves).
 */

/**
 * The SDK's node handler waits forever for a silent connection by default. Each
 * attempt here may take 1 s to connect and stay silent 2 s (`socketTimeout`,
 * inactivity: a TimeoutError the SDK retries): its standard retry (4 attempts
 * for DynamoDB, 50 ms base backoff) then ends within the 10 s an HTTP function
 * or a Lambda init may take, so the webhook answers 503 itself and Svix retries.
 */
export const SDK_REQUEST_HANDLER = Object.freeze({ connectionTimeout: 1_000, socketTimeout: 2_000 });
