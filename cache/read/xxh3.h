/* xxh3.h - the XXH3-64 checksum of snapshots and spool files.
 *
 * Compiled in from libxxhash's header (XXH_INLINE_ALL, its documented
 * header-only mode) instead of linked: the NSS module is mapped into every
 * process that resolves a name and the lease helper runs once per DHCP
 * event, and a shared library fewer is fewer mappings and page faults at
 * every start.  Only the functions a file calls are compiled into it.
 */
#ifndef VIRTNAME_XXH3_H
#define VIRTNAME_XXH3_H

#define XXH_INLINE_ALL
#include <xxhash.h>

#endif
