// Placeholder until the handler lands; the CDK stack bundles this file as the Lambda entry.
export const handler = async (): Promise<{ statusCode: number }> => ({ statusCode: 200 });
