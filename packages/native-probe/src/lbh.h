/* What the preloaded interposer (preload.c) exports to the probe addon (probe.c), which finds it with dlsym:
 * absent when the cell was started without it. */
#ifndef LBH_H
#define LBH_H

typedef struct {
  double bytes;      /* malloc_usable_size of the selected objects' live blocks */
  double blocks;
  double unrecorded; /* blocks the table had no room for (never expected; said when it happens) */
  double own_bytes;  /* glibc chunks of the interposer's own table: not the module's, not the host's */
  int objects;       /* selected objects found so far */
  int objects_dropped; /* selected objects (or code segments) beyond the interposer's fixed tables */
} lbh_counts;

typedef void (*lbh_read_fn)(lbh_counts *out);
typedef const char *(*lbh_object_fn)(int k); /* the k-th selected object's path, or NULL */
typedef void (*lbh_rescan_fn)(void);         /* finds selected objects loaded since the last scan */

#endif
