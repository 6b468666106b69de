// Placeholder: replaced by the real handler.
export const handler = async (_event: unknown): Promise<unknown> => ({ statusCode: 501 });
