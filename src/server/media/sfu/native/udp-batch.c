#define _GNU_SOURCE
#include "udp-batch.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <string.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

/* The most padding added to a packet to join a run: under 2 % of a full-size video packet. */
#define MAX_PADDING 16
#define RTP_PADDING_BIT 0x20

static void pad(udp_batch_t *b, int i, size_t target) {
  size_t extra = target - b->lengths[i];
  if (!extra) return;
  unsigned char *end = b->data[i] + b->lengths[i];
  memset(end, 0, extra - 1);
  end[extra - 1] = (unsigned char)extra;
  b->data[i][0] |= RTP_PADDING_BIT;
  b->lengths[i] = target;
}

/* An RTP packet that has no padding yet (the SFU's own headers never do) can be padded. */
static int paddable(const udp_batch_t *b, int i) { return b->header_lengths[i] && !(b->data[i][0] & RTP_PADDING_BIT); }

void udp_batch_pad(udp_batch_t *b) {
  for (int i = 0; i < b->count;) {
    int end = i + 1;
    size_t max = b->lengths[i], min = max;
    while (!b->gso_off && paddable(b, i) && end < b->count && paddable(b, end)) {
      size_t len = b->lengths[end];
      size_t run_max = len > max ? len : max, run_min = len < min ? len : min;
      if (run_max - run_min > MAX_PADDING) break;
      max = run_max;
      min = run_min;
      end++;
    }
    for (int j = i; j < end; j++) {
      pad(b, j, max);
      b->run_ends[j] = j == end - 1;
    }
    i = end;
  }
}

/* Errors that mean this socket cannot send GSO messages, as opposed to a full buffer. */
static int gso_refused(int error) { return error == EIO || error == EINVAL || error == ENOPROTOOPT || error == EOPNOTSUPP; }

void udp_batch_send(udp_batch_t *b) {
  struct mmsghdr messages[UDP_BATCH_SIZE];
  struct iovec parts[UDP_BATCH_SIZE];
  union {
    char buffer[CMSG_SPACE(sizeof(uint16_t))];
    struct cmsghdr align;
  } controls[UDP_BATCH_SIZE];
  int first[UDP_BATCH_SIZE];
  for (int i = 0; i < b->count; i++) parts[i] = (struct iovec){b->data[i], b->lengths[i]};
  int start = 0;
  while (start < b->count) {
    int count = 0;
    for (int i = start; i < b->count; count++) {
      int end = i + 1;
      if (!b->gso_off) while (end < b->count && !b->run_ends[end - 1]) end++;
      struct msghdr *h = &messages[count].msg_hdr;
      memset(&messages[count], 0, sizeof messages[count]);
      h->msg_name = &b->dest;
      h->msg_namelen = b->dest_len;
      h->msg_iov = &parts[i];
      h->msg_iovlen = (size_t)(end - i);
      if (end - i > 1) {
        memset(&controls[count], 0, sizeof controls[count]);
        h->msg_control = controls[count].buffer;
        h->msg_controllen = sizeof controls[count].buffer;
        struct cmsghdr *c = CMSG_FIRSTHDR(h);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        uint16_t segment = (uint16_t)b->lengths[i];
        memcpy(CMSG_DATA(c), &segment, sizeof segment);
      }
      first[count] = i;
      i = end;
    }
    int sent = sendmmsg(b->fd, messages, (unsigned)count, MSG_DONTWAIT);
    if (sent == count) break;
    if (sent > 0) {
      start = first[sent];
    } else if (messages[0].msg_hdr.msg_iovlen > 1 && gso_refused(errno)) {
      b->gso_off = 1;
    } else {
      break;
    }
  }
  b->count = 0;
}
