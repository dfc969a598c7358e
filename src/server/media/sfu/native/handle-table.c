#include "handle-table.h"

#include <stdlib.h>

#define GENERATION_MASK ((1u << (32 - HANDLE_SLOT_BITS)) - 1)

static int grow(handle_table_t *t) {
  uint32_t capacity = t->capacity ? t->capacity * 2 : 256;
  if (capacity > HANDLE_MAX_SLOTS) capacity = HANDLE_MAX_SLOTS;
  if (capacity <= t->capacity) return 0;
  void **items = realloc(t->items, capacity * sizeof *items);
  if (!items) return 0;
  t->items = items;
  uint32_t *generations = realloc(t->generations, capacity * sizeof *generations);
  if (!generations) return 0;
  t->generations = generations;
  uint32_t *free_slots = realloc(t->free_slots, capacity * sizeof *free_slots);
  if (!free_slots) return 0;
  t->free_slots = free_slots;
  for (uint32_t i = t->capacity; i < capacity; i++) generations[i] = 0;
  t->capacity = capacity;
  return 1;
}

uint32_t handle_table_add(handle_table_t *t, void *item) {
  uint32_t slot;
  if (t->free_count) {
    slot = t->free_slots[--t->free_count];
  } else {
    if (t->used == t->capacity && !grow(t)) return HANDLE_NONE;
    slot = t->used++;
  }
  t->items[slot] = item;
  return (t->generations[slot] << HANDLE_SLOT_BITS) | slot;
}

void handle_table_remove(handle_table_t *t, uint32_t handle) {
  if (!handle_table_get(t, handle)) return;
  uint32_t slot = handle & HANDLE_MAX_SLOTS;
  t->items[slot] = NULL;
  t->generations[slot] = (t->generations[slot] + 1) & GENERATION_MASK;
  t->free_slots[t->free_count++] = slot;
}

void *handle_table_get(const handle_table_t *t, uint32_t handle) {
  uint32_t slot = handle & HANDLE_MAX_SLOTS;
  if (slot >= t->used || t->generations[slot] != handle >> HANDLE_SLOT_BITS) return NULL;
  return t->items[slot];
}
