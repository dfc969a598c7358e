/**
 * Takes over SRTP decryption of a publisher's DTLS transport (werift's);
 * false when the transport has no SRTP session yet, which leaves werift's.
 */
export type SrtpInput = (transport: object) => boolean;
