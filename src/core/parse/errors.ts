// Named error for inputs the parser cannot work with; the message is meant for the user.
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
