/* What the preloaded interposer (preload.c) exports to the probe addon (probe.c), which finds it with dlsym:
 * absent when the cell was started without it. */
#ifndef LBH_H
#define LBH_H

typedef struct {
  double bytes;      /* glibc chunk bytes of the selected objects' live blocks */
  double blocks;
  double unrecorded; /* blocks the table had no room for (never expected; said when it happens) */
  double own_bytes;  /* glibc chunks of the interposer's own table: not the module's, not the host's */
  int objects;       /* selected objects found so far */
  int objects_dropped; /* selected objects (or code segments) beyond the interposer's fixed tables */
} lbh_counts;

typedef void (*lbh_read_fn)(lbh_counts *out);
typedef const char *(*lbh_object_fn)(int k); /* the k-th selected object's path, or NULL */
typedef void (*lbh_rescan_fn)(void);         /* finds selected objects loaded since the last scan */

/* Allocation sites (attribution passes): the tracker's switch, its live blocks by (stack, epoch) — each call
 * starts a new epoch; rows freed with lbh_free_site_counts — and a stack's return addresses by id. */
#include "lb_block_table.h"
typedef void (*lbh_track_sites_fn)(int on);
typedef long (*lbh_site_counts_fn)(lb_site_count **out);
typedef void (*lbh_free_site_counts_fn)(lb_site_count *rows);
typedef int (*lbh_site_stack_fn)(uint32_t k, void **pcs, int cap);

/* Whether path matches one of the ':'-separated fnmatch patterns in list (no flags: '*' matches '/' too). The
 * interposer's selection and the probe addon's check of a user's patterns share it. */
#include <fnmatch.h>
#include <string.h>
static inline int lbh_matches_any(const char *list, const char *path) {
  if (!list || !*list || !path) return 0;
  char buf[4096];
  strncpy(buf, list, sizeof buf - 1);
  buf[sizeof buf - 1] = 0;
  char *save = NULL;
  for (char *p = strtok_r(buf, ":", &save); p; p = strtok_r(NULL, ":", &save))
    if (fnmatch(p, path, 0) == 0) return 1;
  return 0;
}

#endif
