import type { Socket } from 'node:dgram';
import type { RTCRtpSender, RtpPacket } from 'werift';
import { EXTENSION_URI, type ExtensionIdMap } from './header-extensions.js';
import { type OutgoingStream, extensionIdTable, writeForwardedHeader } from './rtp-header-writer.js';
import { RetransmissionHistory } from './retransmission-history.js';
import { senderReportPacket, senderReportPair } from './sender-reports.js';
import type { SourceTrack } from './source-track.js';
import type { SrtpOutput, SrtpOutputFactory } from './srtp-output.js';
import type { SrtpSessionKeys } from './srtp-protector.js';

/** The parts of werift 0.25.2's RTCRtpSender and transports the direct path uses. */
interface SenderInternals {
  stopped: boolean;
  ssrc: number;
  mid?: string;
  codec?: { payloadType: number };
  headerExtensions: { id: number; uri: string }[];
  cname?: string;
  /** What werift matches the subscriber's receiver reports against to compute the round-trip time. */
  lastSRtimestamp?: number;
  lastSentSRTimestamp?: number;
  dtlsTransport: {
    srtp?: { localContext: SrtpSessionKeys };
    iceTransport: { connection: IceConnection };
  };
}

interface IceConnection {
  canSendApplicationData(): boolean;
  send(data: Buffer): Promise<void>;
  nominated?: { remoteAddr: [string, number]; protocol: { transport: { socket?: Socket } } };
}

/** How long a resolved route is used before werift's transports are read again. */
const ROUTE_TTL_MS = 250;

/** Everything one send needs, read from werift's sender and transports. */
interface Route {
  stream: OutgoingStream;
  /** Sends to the ICE pair's UDP socket and address, set as its destination. */
  output: SrtpOutput;
  /** Set when the ICE pair has no UDP socket: datagrams go through werift's connection. */
  connection?: IceConnection;
}

/**
 * Sends forwarded packets to one subscriber's stream without werift's
 * per-packet path (which clones the packet, rebuilds and sorts extensions,
 * reads an NTP clock, serializes, concatenates and awaits a promise chain for
 * every packet): its SRTP output, made with werift's session keys and the
 * stream's header fields, puts the subscriber's header on the packet,
 * protects it and sends it from the UDP socket of the nominated ICE pair.
 *
 * It also sends the stream's sender reports the same way. werift's sender
 * still receives the subscriber's RTCP; NACKs are answered from this
 * sender's own history (werift's is never filled).
 */
export class DirectRtpSender {
  private readonly sender: SenderInternals;
  private readonly idTable: Uint8Array;
  private stream?: OutgoingStream;
  private output?: SrtpOutput;
  private keys?: SrtpSessionKeys;
  private lastTimestamp = 0;
  private lastForwardMs = 0;
  private readonly history: RetransmissionHistory;
  private route?: Route;
  private routeExpiresMs = 0;
  /** RTP bytes sent other than through the current output: through werift's connection, or an output of earlier keys. */
  private otherBytes = 0;
  /** Packets and payload bytes forwarded (not retransmitted), for the sender reports. */
  private packets = 0;
  private octets = 0;

  constructor(
    sender: RTCRtpSender,
    extensionIds: ExtensionIdMap,
    private readonly source: SourceTrack,
    private readonly outputFor: SrtpOutputFactory,
  ) {
    this.sender = sender as unknown as SenderInternals;
    this.idTable = extensionIdTable(extensionIds);
    this.history = new RetransmissionHistory(source.recent);
  }

  /** RTP bytes sent, retransmissions included: what the subscriber's link carried. */
  get sentBytes(): number {
    return this.otherBytes + (this.output?.sentBytes ?? 0);
  }

  send(packet: RtpPacket, sequenceNumber: number): void {
    const now = performance.now();
    if (!this.transmit(packet, sequenceNumber, now)) return;
    this.packets++;
    this.octets += packet.payload.length;
    this.history.remember(sequenceNumber, packet.header.sequenceNumber);
    this.lastTimestamp = packet.header.timestamp;
    this.lastForwardMs = now;
  }

  /** Answers the subscriber's NACK by sending the listed packets again, as far as the history's rate limits allow. */
  retransmit(lost: readonly number[]): void {
    const now = performance.now();
    for (const { sequenceNumber, packet } of this.history.take(lost, now)) this.transmit(packet, sequenceNumber, now);
  }

  /** Sends an RTCP sender report for the stream; nothing before its first packet. */
  sendReport(now = performance.now()): void {
    const route = this.currentRoute(now);
    if (!route || this.packets === 0) return;
    const { ntp, rtp } = senderReportPair(this.source, { rtpTimestamp: this.lastTimestamp, atMs: this.lastForwardMs }, now);
    const report = senderReportPacket({ ssrc: route.stream.ssrc, ntp, rtp, packets: this.packets, octets: this.octets, cname: this.sender.cname });
    if (route.connection) route.connection.send(route.output.protectRtcp(report)).catch(() => {});
    else route.output.sendRtcp(report);
    // The middle 32 bits of the NTP time, as the receiver's report echoes them.
    this.sender.lastSRtimestamp = Number((ntp >> 16n) & 0xffffffffn);
    this.sender.lastSentSRTimestamp = Date.now() / 1000;
  }

  private currentRoute(now: number): Route | undefined {
    if (now >= this.routeExpiresMs) this.route = this.resolveRoute(now);
    return this.route;
  }

  private transmit(packet: RtpPacket, sequenceNumber: number, now: number): boolean {
    const route = this.currentRoute(now);
    if (!route) return false;
    if (route.connection) {
      const header = writeForwardedHeader(packet.header, sequenceNumber, route.stream, this.idTable);
      route.connection.send(route.output.protect(header, packet.payload)).catch(() => {});
      this.otherBytes += header.length + packet.payload.length;
    } else {
      route.output.sendForwarded(packet, sequenceNumber);
    }
    return true;
  }

  /**
   * Reads werift's transports for where and how to send. werift's objects are
   * slow to read property by property (they define every field at run time),
   * so the answer is kept for ROUTE_TTL_MS: long enough to be read a few times
   * per second per subscriber, short enough to follow a change of ICE pair or
   * a lost connection. A closed session stops its forwarders first.
   */
  private resolveRoute(now: number): Route | undefined {
    const sender = this.sender;
    const keys = sender.dtlsTransport.srtp?.localContext;
    const connection = sender.dtlsTransport.iceTransport.connection;
    this.routeExpiresMs = 0;
    if (sender.stopped || !keys || !connection.canSendApplicationData()) return undefined;
    const stream = this.stream ?? this.begin();
    if (!stream) return undefined;
    if (keys !== this.keys) {
      this.keys = keys;
      this.otherBytes += this.output?.sentBytes ?? 0;
      this.output = this.outputFor(keys, stream, this.idTable);
    }
    const pair = connection.nominated!;
    const socket = pair.protocol.transport.socket;
    if (socket && !this.output!.setDestination(socket, pair.remoteAddr[0], pair.remoteAddr[1])) return undefined;
    this.routeExpiresMs = now + ROUTE_TTL_MS;
    return { stream, output: this.output!, connection: socket ? undefined : connection };
  }

  /** On the first packet: fixes the subscriber's stream parameters. */
  private begin(): OutgoingStream | undefined {
    const sender = this.sender;
    if (!sender.codec) return undefined;
    const midId = sender.headerExtensions.find((e) => e.uri === EXTENSION_URI.mid)?.id;
    this.stream = {
      ssrc: sender.ssrc,
      payloadType: sender.codec.payloadType,
      mid: midId !== undefined && sender.mid ? { id: midId, value: Buffer.from(sender.mid) } : undefined,
    };
    return this.stream;
  }
}
