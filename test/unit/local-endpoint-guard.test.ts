import { describe, expect, it } from 'vitest';
import { assertLocalEndpoint, localDynamoDbClientConfig } from '../../local/dynamodb-local';

describe('assertLocalEndpoint', () => {
  it.each([
    'https://dynamodb.us-east-1.amazonaws.com',
    'http://10.0.0.5:8000',
    'http://localhost.example.com:8000',
    'http://127.0.0.1.nip.io:8000',
    'http://0.0.0.0:8000',
    'file://localhost/etc/passwd',
    'localhost:8000',
    '',
  ])('rejects %j', (endpoint) => {
    expect(() => assertLocalEndpoint(endpoint)).toThrow(/Refusing DynamoDB endpoint/);
  });

  it.each(['http://127.0.0.1:8000', 'http://localhost:1234', 'http://[::1]:8000', 'http://LOCALHOST:8000/'])(
    'accepts %j',
    (endpoint) => {
      expect(() => assertLocalEndpoint(endpoint)).not.toThrow();
    },
  );
});

describe('localDynamoDbClientConfig', () => {
  it('returns the local endpoint, us-east-1 and fixed dummy credentials', () => {
    expect(localDynamoDbClientConfig('http://127.0.0.1:8000')).toEqual({
      endpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  it('refuses a real AWS endpoint', () => {
    expect(() => localDynamoDbClientConfig('https://dynamodb.eu-west-1.amazonaws.com')).toThrow(
      /Refusing DynamoDB endpoint/,
    );
  });
});
