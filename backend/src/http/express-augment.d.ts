export {};

declare global {
  namespace Express {
    interface Request {
      /** Set by the request-id middleware for every request. */
      requestId: string;
      /** Set when the request carried a valid access token (whether or not the route requires one). */
      auth?: { userId: string };
    }
  }
}
