/*
 * Numbers for the addon's objects, so JavaScript can name many of them in one
 * typed array (one call into the addon per publisher packet, not one per
 * subscriber). A handle stops resolving once its object is removed: each
 * slot counts its reuses and the count is part of the handle, so a handle
 * still queued for a freed sender cannot reach the next one in its slot.
 */
#ifndef STAGE_HANDLE_TABLE_H
#define STAGE_HANDLE_TABLE_H

#include <stdint.h>

/* Low bits: the slot; high bits: its generation. */
#define HANDLE_SLOT_BITS 20
#define HANDLE_MAX_SLOTS ((1u << HANDLE_SLOT_BITS) - 1)
#define HANDLE_NONE UINT32_MAX

typedef struct {
  void **items;
  uint32_t *generations;
  uint32_t *free_slots;
  uint32_t capacity, used, free_count;
} handle_table_t;

/* Returns the item's handle, or HANDLE_NONE when out of memory or slots. */
uint32_t handle_table_add(handle_table_t *t, void *item);
void handle_table_remove(handle_table_t *t, uint32_t handle);
/* The item, or NULL for a handle that was removed or never given. */
void *handle_table_get(const handle_table_t *t, uint32_t handle);

#endif
