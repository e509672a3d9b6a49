/* lmdb-commit - the floor under a lease event: a process that does
 * nothing but commit one key to an LMDB file, synced as the private store
 * is (a data fdatasync, then the meta page written O_DSYNC).  The
 * benchmark times it beside /bin/true, in the same directory as the
 * private store, so the helper's cost can be read against what any
 * process that durably commits to LMDB pays on this machine.
 *
 *   lmdb-commit FILE      commits the key "kPID" and exits 0
 */
#include <lmdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        MDB_env *env;
        MDB_txn *txn;
        MDB_dbi dbi;
        MDB_val key, val;
        char name[32], one[] = "v";
        int rc;

        if (argc != 2) {
                fprintf(stderr, "usage: lmdb-commit FILE\n");
                return 2;
        }
        snprintf(name, sizeof(name), "k%ld", (long)getpid());
        key.mv_size = strlen(name);
        key.mv_data = name;
        val.mv_size = 1;
        val.mv_data = one;
        rc = mdb_env_create(&env);
        if (rc == 0)
                rc = mdb_env_set_mapsize(env, (size_t)1 << 30);
        if (rc == 0)
                rc = mdb_env_open(env, argv[1], MDB_NOSUBDIR | MDB_NOTLS | MDB_NOLOCK, 0600);
        if (rc == 0)
                rc = mdb_txn_begin(env, NULL, 0, &txn);
        if (rc == 0 && (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) == 0 &&
            (rc = mdb_put(txn, dbi, &key, &val, 0)) == 0)
                rc = mdb_txn_commit(txn);
        if (rc != 0) {
                fprintf(stderr, "lmdb-commit: %s: %s\n", argv[1], mdb_strerror(rc));
                return 1;
        }
        mdb_env_close(env);
        return 0;
}
