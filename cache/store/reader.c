/* reader.c - lock-free read access to the published snapshot. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/lookup.h"
#include "store/reader.h"

const char *virtname_store_dir(const char *dir)
{
        const char *env;

        if (dir && *dir)
                return dir;
        env = secure_getenv(VIRTNAME_DIR_ENV);
        return env && *env ? env : VIRTNAME_DEFAULT_DIR;
}

int virtname_store_path(char *buf, size_t cap, const char *dir, const char *name)
{
        int n = snprintf(buf, cap, "%s/%s", dir, name);

        return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static int mdb_to_errno(int rc)
{
        if (rc == 0)
                return 0;
        if (rc > 0)
                return -rc;             /* LMDB passes system errors through */
        if (rc == MDB_NOTFOUND)
                return -EBADMSG;        /* a database the schema requires is missing */
        return rc == MDB_INVALID || rc == MDB_CORRUPTED || rc == MDB_VERSION_MISMATCH ||
                       rc == MDB_INCOMPATIBLE || rc == MDB_PAGE_NOTFOUND
                   ? -EBADMSG
                   : -EIO;
}

/* A snapshot shorter than its own last page would fault (SIGBUS) when a
 * lookup touches the missing pages: refuse it up front. */
static int check_size(MDB_env *env)
{
        MDB_envinfo info;
        MDB_stat st;
        struct stat sb;
        int fd;

        if (mdb_env_get_fd(env, &fd) != 0 || fstat(fd, &sb) != 0)
                return -EIO;
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        if (!S_ISREG(sb.st_mode))
                return -EBADMSG;
        if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &st) != 0)
                return -EBADMSG;
        if ((uint64_t)sb.st_size < ((uint64_t)info.me_last_pgno + 1) * st.ms_psize)
                return -EBADMSG;
        return 0;
}

int virtname_reader_open(struct virtname_reader *r, const char *path)
{
        struct virtname_meta meta;
        struct stat sb;
        int rc;

        memset(r, 0, sizeof(*r));
        /* LMDB would block in open() on a FIFO and map anything else: only
         * a regular file can be a snapshot.  (The directory is root's, so
         * nobody else can swap the file between this check and the open.) */
        if (stat(path, &sb) < 0)
                return -errno;
        if (!S_ISREG(sb.st_mode))
                return -EBADMSG;
        rc = mdb_env_create(&r->env);
        if (rc != 0)
                return mdb_to_errno(rc);
        rc = mdb_env_set_maxdbs(r->env, VIRTNAME_DB_COUNT);
        /* Map only what the file holds: LMDB raises a too-small map size
         * to the snapshot's used size, and a small map is cheaper to set up
         * and tear down on every lookup than the writer's 1 GiB. */
        if (rc == 0)
                rc = mdb_env_set_mapsize(r->env, 1);
        if (rc == 0)
                rc = mdb_env_open(r->env, path,
                                  MDB_RDONLY | MDB_NOLOCK | MDB_NOSUBDIR | MDB_NORDAHEAD, 0);
        rc = mdb_to_errno(rc);
        if (rc == 0)
                rc = check_size(r->env);
        if (rc == 0)
                rc = mdb_to_errno(mdb_txn_begin(r->env, NULL, MDB_RDONLY, &r->view.txn));
        for (int db = 0; rc == 0 && db < VIRTNAME_DB_COUNT; db++)
                rc = mdb_to_errno(mdb_dbi_open(r->view.txn, virtname_db_name(db),
                                               virtname_db_flags(db), &r->view.dbi[db]));
        if (rc == 0 && (virtname_get_meta(&r->view, &meta) < 0 ||
                        meta.schema != VIRTNAME_SCHEMA_VERSION))
                rc = -EBADMSG;
        if (rc != 0)
                virtname_reader_close(r);
        return rc;
}

void virtname_reader_close(struct virtname_reader *r)
{
        if (r->view.txn)
                mdb_txn_abort(r->view.txn);
        if (r->env)
                mdb_env_close(r->env);
        memset(r, 0, sizeof(*r));
}
