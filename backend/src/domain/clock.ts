/** The time source of services and routes; tests pass a fixed or stepped clock. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
