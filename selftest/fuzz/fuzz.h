/* fuzz.h - what the fuzzers (snapfuzz, hookfuzz) share: a seeded random
 * generator, byte buffers and files, the NSS module's entry points loaded
 * with dlopen(), the questions asked of it and the comparison of its
 * answers, and running one step in a child process under a deadline so
 * that a crash or a hang is counted, not fatal. */
#ifndef VIRTNAME_FUZZ_H
#define VIRTNAME_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- random numbers: splitmix64, one independent stream per case ------- */

struct rng {
        uint64_t s;
};

uint64_t rng_next(struct rng *r);
/* Uniform in [0, N) (N > 0). */
uint64_t rng_below(struct rng *r, uint64_t n);
bool rng_chance(struct rng *r, unsigned percent);
/* The generator of case I of a run with SEED: any case can be replayed
 * alone. */
struct rng rng_for_case(uint64_t seed, uint64_t i);

/* --- buffers and files ----------------------------------------------- */

struct buf {
        uint8_t *p;
        size_t len, cap;
};

/* Make room for N bytes (exits on no memory: a tool, not a library). */
void buf_reserve(struct buf *b, size_t n);
void buf_set(struct buf *b, const void *p, size_t n);
void buf_append(struct buf *b, const void *p, size_t n);
/* Set the length to N; new bytes are zero. */
void buf_resize(struct buf *b, size_t n);
void buf_free(struct buf *b);
/* 0, or -1 with errno. */
int buf_read_file(struct buf *b, const char *path);

/* Write DIR/NAME (mode 0644) through a temporary file and rename(): a
 * reader sees the old file or the new one.  0 or -1 with errno. */
int write_file_renamed(const char *dir, const char *name, const void *p, size_t n);
/* Write PATH in place (same inode): truncate, then write.  0 or -1. */
int write_file_in_place(const char *path, const void *p, size_t n);
/* Remove every regular file of DIR.  0 or -1. */
int empty_dir(const char *dir);
/* Copy every regular file of SRC into DST (created, mode 0755). */
int copy_dir_files(const char *src, const char *dst);
/* DIR/NAME into OUT (CAP bytes); a path too long ends the program. */
void path_join(char *out, size_t cap, const char *dir, const char *name);
/* mkdir -p with mode 0755. */
int make_dirs(const char *path);

/* --- the NSS module --------------------------------------------------- */

struct nss_module;
/* dlopen() the module at PATH; NULL with a message on stderr. */
struct nss_module *nss_module_open(const char *path);

/* --- questions and answers ------------------------------------------- */

enum qkind {
        Q_ANY,                  /* gethostbyname4_r: both families */
        Q_V4,                   /* gethostbyname3_r, AF_INET */
        Q_V6,                   /* gethostbyname3_r, AF_INET6 */
        Q_REV,                  /* gethostbyaddr2_r */
};

struct query {
        enum qkind kind;
        char text[256];         /* the name, or the address as text */
        int af;                 /* Q_REV */
        uint8_t addr[16];       /* Q_REV */
};

struct queries {
        struct query *q;
        size_t n, cap;
};

/* Add the three forward questions for NAME. */
void queries_add_name(struct queries *qs, const char *name);
/* Add the reverse question for ADDR (text); false if it is no address. */
bool queries_add_addr(struct queries *qs, const char *addr);
void queries_free(struct queries *qs);

/* An answer: the NSS status and, on success, its content as sorted,
 * space-separated tokens (addresses, or the names a reverse lookup gave).
 * Names of forward answers are left out: the module echoes the query. */
#define ANSWER_TEXT 2048
struct answer {
        int status;             /* enum nss_status */
        char text[ANSWER_TEXT];
};

void answer_query(const struct nss_module *m, const struct query *q, struct answer *a);
/* Text of a status: "ok", "notfound", "unavail", "tryagain". */
const char *status_name(int status);
bool answer_ok(const struct answer *a);

enum verdict {
        V_SAME,                 /* what the good snapshot answers (or both nothing) */
        V_NONE,                 /* nothing, where the good snapshot answers */
        V_PARTIAL,              /* part of the good answer only */
        V_WRONG,                /* something the good snapshot does not give */
        V_COUNT
};

enum verdict answer_compare(const struct answer *good, const struct answer *got);
const char *verdict_name(enum verdict v);
/* Does token list TEXT contain TOKEN? */
bool answer_has(const char *text, const char *token);

/* --- children under a deadline ---------------------------------------- */

enum run_result {
        RUN_OK,                 /* exited 0 */
        RUN_EXIT,               /* exited non-zero (a sanitizer report, usually) */
        RUN_SIGNAL,             /* killed by a signal of its own (a crash) */
        RUN_HANG,               /* still running at the deadline: killed */
};

struct run {
        enum run_result result;
        int code;               /* exit status or signal */
        double ms;
};

/* FN runs in a child with standard error going to ERR_PATH (NULL: keep)
 * and writes its results to OUT_FD; its return value is its exit status. */
typedef int (*child_fn)(void *ctx, int out_fd);

/* Run FN in a child, collect what it writes into OUT (may be NULL), kill
 * it at TIMEOUT_MS.  Returns 0, or -1 if the child could not be started. */
int run_child(child_fn fn, void *ctx, const char *err_path, unsigned timeout_ms, struct buf *out,
              struct run *r);

/* Run ARGV with environment ENVP, standard input from IN_PATH (NULL:
 * /dev/null), standard output and error to OUT_PATH.  Same results. */
int run_exec(char *const argv[], char *const envp[], const char *in_path, const char *out_path,
             unsigned timeout_ms, struct run *r);

/* A sanitizer's report of a signal (SEGV, BUS...) in ERR_PATH turns an
 * exit into the signal it reports. */
void run_classify(struct run *r, const char *err_path);

/* "exit 1", "SIGSEGV", "hang" ... */
const char *run_describe(const struct run *r, char *buf, size_t cap);

/* The first lines of an ASan/UBSan report in PATH worth printing (the
 * error line and the first frames), into BUF. */
void report_summary(const char *path, char *buf, size_t cap);

double now_ms(void);
/* Write all of P to FD (EINTR-safe).  0 or -1. */
int write_all(int fd, const void *p, size_t n);

#endif
