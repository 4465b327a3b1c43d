/* pool: chunked free-list allocator for fixed-size objects. */
#include "util/pool.h"

#include <stdalign.h>
#include <stdlib.h>

#include "platform/platform.h"

#define ALIGN alignof(max_align_t)
/* Chunks start on a cache line, and so do objects whose type asks for it. */
#define LINE 64

void pool_init(struct pool *p, size_t size, size_t per_chunk)
{
	if (size < sizeof(void *))
		size = sizeof(void *);
	p->size = (size + ALIGN - 1) / ALIGN * ALIGN;
	p->per_chunk = per_chunk ? per_chunk : 1;
	p->free = NULL;
	p->chunks = NULL;
}

void *pool_get(struct pool *p)
{
	if (!p->free) {
		size_t bytes = (LINE + p->size * p->per_chunk + LINE - 1) / LINE * LINE;
		char *chunk = platform_aligned_alloc(LINE, bytes);
		if (!chunk)
			return NULL;
		*(void **)chunk = p->chunks;
		p->chunks = chunk;
		for (size_t i = 0; i < p->per_chunk; i++)
			pool_put(p, chunk + LINE + i * p->size);
	}
	void *obj = p->free;
	p->free = *(void **)obj;
	return obj;
}

void pool_put(struct pool *p, void *obj)
{
	*(void **)obj = p->free;
	p->free = obj;
}

void pool_destroy(struct pool *p)
{
	while (p->chunks) {
		void *next = *(void **)p->chunks;
		platform_aligned_free(p->chunks);
		p->chunks = next;
	}
	p->free = NULL;
}
