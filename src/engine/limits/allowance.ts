import { CountLimit } from './count-limit.ts';

/**
 * The allowance (SPEC sections 2 and 4): `A = seats × messagesPerSeatPerDay` admitted messages per
 * sliding 24 h, people's messages and fair-use runs together. Unlimited when messagesPerSeatPerDay
 * is null. Under the platform profile a fair-use schedule is checked against it alone, and a
 * fair-use webhook reaches it last (section 9 rules 3 and 4).
 */
export class Allowance extends CountLimit {}
