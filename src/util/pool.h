/* pool: fixed-size objects carved from chunks, recycled through a free list.
 *
 * The tables that hold per-flow state take an object per new flow; a pool
 * makes that a pointer pop instead of a malloc, and allocates only when it
 * has to grow (one chunk of many objects at a time).  Chunks are kept until
 * the pool is destroyed: the tables' caps bound how many there can be. */
#ifndef PDNSLOG_POOL_H
#define PDNSLOG_POOL_H

#include <stddef.h>

struct pool {
	size_t size;        /* object size, rounded up for alignment */
	size_t per_chunk;
	void *free;         /* free objects, linked through their first word */
	void *chunks;       /* chunks, linked through their first word */
};

void pool_init(struct pool *p, size_t size, size_t per_chunk);
/* An object (contents undefined), or NULL when no memory is left. */
void *pool_get(struct pool *p);
void pool_put(struct pool *p, void *obj);
/* Free every chunk; objects still out become invalid. */
void pool_destroy(struct pool *p);

#endif
