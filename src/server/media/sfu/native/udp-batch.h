/*
 * A queue of datagrams for one socket and destination, sent together: runs of
 * RTP packets of about the same size (a video frame's, typically) are padded
 * to one size and go out as one UDP GSO message, so the kernel routes and
 * builds one packet where it would otherwise do it for each.
 */
#ifndef STAGE_UDP_BATCH_H
#define STAGE_UDP_BATCH_H

#include <stddef.h>
#include <sys/socket.h>

/* Larger than any datagram the SFU forwards (payloads come from a 1500-byte MTU). */
#define UDP_BATCH_MAX_DATAGRAM 2048
/* Datagrams queued before the queue is sent without waiting for a flush; a 2 Mbit/s frame is ~8. */
#define UDP_BATCH_SIZE 16

typedef struct {
  int fd;
  struct sockaddr_storage dest;
  socklen_t dest_len;
  /* Set once the kernel refused a GSO message on this socket (no checksum offload, small MTU): one datagram per message from then on. */
  int gso_off;
  int count;
  size_t lengths[UDP_BATCH_SIZE];
  /* Length of each datagram's RTP header; 0 for RTCP, which is never padded or grouped. */
  size_t header_lengths[UDP_BATCH_SIZE];
  /* Whether a datagram ends its run (the group sent as one message). */
  unsigned char run_ends[UDP_BATCH_SIZE];
  unsigned char data[UDP_BATCH_SIZE][UDP_BATCH_MAX_DATAGRAM];
} udp_batch_t;

/*
 * Plans the runs and pads their RTP packets, still in clear, to the run's
 * largest size (RFC 3550 §5.1 padding, inside what SRTP then encrypts).
 * Every packet of a run gains the same protection overhead, so after
 * protection they are still one size.
 */
void udp_batch_pad(udp_batch_t *b);

/* Sends the queue, a GSO message per run; what the socket refuses (a full send buffer) is loss, as with any UDP send. */
void udp_batch_send(udp_batch_t *b);

#endif
