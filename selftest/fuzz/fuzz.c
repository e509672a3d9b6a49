/* fuzz.c - the fuzzers' shared parts (fuzz.h). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <nss.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "selftest/fuzz/fuzz.h"

/* --- random ------------------------------------------------------------- */

uint64_t rng_next(struct rng *r)
{
        uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
        return n ? rng_next(r) % n : 0;
}

bool rng_chance(struct rng *r, unsigned percent)
{
        return rng_below(r, 100) < percent;
}

struct rng rng_for_case(uint64_t seed, uint64_t i)
{
        struct rng r = { seed ^ (i * 0xd1342543de82ef95ull) };

        rng_next(&r);
        return r;
}

/* --- buffers and files -------------------------------------------------- */

void buf_reserve(struct buf *b, size_t n)
{
        size_t cap = b->cap ? b->cap : 256;
        uint8_t *p;

        if (n <= b->cap)
                return;
        while (cap < n)
                cap *= 2;
        p = realloc(b->p, cap);
        if (!p) {
                fprintf(stderr, "fuzz: out of memory\n");
                exit(2);
        }
        b->p = p;
        b->cap = cap;
}

void buf_set(struct buf *b, const void *p, size_t n)
{
        b->len = 0;
        buf_append(b, p, n);
}

void buf_append(struct buf *b, const void *p, size_t n)
{
        buf_reserve(b, b->len + n);
        if (n)
                memcpy(b->p + b->len, p, n);
        b->len += n;
}

void buf_resize(struct buf *b, size_t n)
{
        buf_reserve(b, n);
        if (n > b->len)
                memset(b->p + b->len, 0, n - b->len);
        b->len = n;
}

void buf_free(struct buf *b)
{
        free(b->p);
        memset(b, 0, sizeof(*b));
}

int write_all(int fd, const void *p, size_t n)
{
        size_t done = 0;

        while (done < n) {
                ssize_t w = write(fd, (const char *)p + done, n - done);

                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -1;
                done += (size_t)w;
        }
        return 0;
}

int buf_read_file(struct buf *b, const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        char chunk[65536];
        ssize_t n;

        if (fd < 0)
                return -1;
        b->len = 0;
        while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int e = errno;

                        close(fd);
                        errno = e;
                        return -1;
                }
                buf_append(b, chunk, (size_t)n);
        }
        close(fd);
        return 0;
}

int write_file_renamed(const char *dir, const char *name, const void *p, size_t n)
{
        char tmp[PATH_MAX], path[PATH_MAX];
        int fd;

        snprintf(tmp, sizeof(tmp), "%s/.fuzz-%s.tmp", dir, name);
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -1;
        if (fchmod(fd, 0644) < 0 || write_all(fd, p, n) < 0) {
                int e = errno;

                close(fd);
                unlink(tmp);
                errno = e;
                return -1;
        }
        if (close(fd) < 0 || rename(tmp, path) < 0)
                return -1;
        return 0;
}

int write_file_in_place(const char *path, const void *p, size_t n)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return -1;
        if (ftruncate(fd, 0) < 0 || write_all(fd, p, n) < 0) {
                int e = errno;

                close(fd);
                errno = e;
                return -1;
        }
        return close(fd);
}

int empty_dir(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int rc = 0;

        if (!d)
                return -1;
        while ((e = readdir(d))) {
                char path[PATH_MAX];
                struct stat st;

                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                if (lstat(path, &st) == 0 && !S_ISDIR(st.st_mode) && unlink(path) < 0)
                        rc = -1;
        }
        closedir(d);
        return rc;
}

void path_join(char *out, size_t cap, const char *dir, const char *name)
{
        int n = snprintf(out, cap, "%s/%s", dir, name);

        if (n < 0 || (size_t)n >= cap) {
                fprintf(stderr, "fuzz: path too long: %s/%s\n", dir, name);
                exit(2);
        }
}

int make_dirs(const char *path)
{
        char p[PATH_MAX];

        snprintf(p, sizeof(p), "%s", path);
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -1;
                *s = '/';
        }
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                return -1;
        return chmod(p, 0755);
}

int copy_dir_files(const char *src, const char *dst)
{
        DIR *d = opendir(src);
        struct dirent *e;
        struct buf b = { 0 };
        int rc = 0;

        if (!d || make_dirs(dst) < 0) {
                if (d)
                        closedir(d);
                return -1;
        }
        while (rc == 0 && (e = readdir(d))) {
                char path[PATH_MAX];
                struct stat st;

                snprintf(path, sizeof(path), "%s/%s", src, e->d_name);
                if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                rc = buf_read_file(&b, path);
                if (rc == 0)
                        rc = write_file_renamed(dst, e->d_name, b.p, b.len);
        }
        closedir(d);
        buf_free(&b);
        return rc;
}

double now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* --- the module ----------------------------------------------------------- */

typedef enum nss_status (*gh4_fn)(const char *, struct gaih_addrtuple **, char *, size_t, int *,
                                  int *, int32_t *);
typedef enum nss_status (*gh3_fn)(const char *, int, struct hostent *, char *, size_t, int *, int *,
                                  int32_t *, char **);
typedef enum nss_status (*gha2_fn)(const void *, socklen_t, int, struct hostent *, char *, size_t,
                                   int *, int *, int32_t *);

struct nss_module {
        void *handle;
        gh4_fn gh4;
        gh3_fn gh3;
        gha2_fn gha2;
};

struct nss_module *nss_module_open(const char *path)
{
        struct nss_module *m = calloc(1, sizeof(*m));

        if (!m)
                return NULL;
        m->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!m->handle) {
                fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
                free(m);
                return NULL;
        }
        m->gh4 = (gh4_fn)dlsym(m->handle, "_nss_virtname_gethostbyname4_r");
        m->gh3 = (gh3_fn)dlsym(m->handle, "_nss_virtname_gethostbyname3_r");
        m->gha2 = (gha2_fn)dlsym(m->handle, "_nss_virtname_gethostbyaddr2_r");
        if (!m->gh4 || !m->gh3 || !m->gha2) {
                fprintf(stderr, "%s: the _nss_virtname_* entry points are missing\n", path);
                dlclose(m->handle);
                free(m);
                return NULL;
        }
        return m;
}

/* --- questions and answers -------------------------------------------------- */

static void queries_push(struct queries *qs, const struct query *q)
{
        if (qs->n == qs->cap) {
                size_t cap = qs->cap ? 2 * qs->cap : 64;
                struct query *more = realloc(qs->q, cap * sizeof(*more));

                if (!more) {
                        fprintf(stderr, "fuzz: out of memory\n");
                        exit(2);
                }
                qs->q = more;
                qs->cap = cap;
        }
        qs->q[qs->n++] = *q;
}

void queries_add_name(struct queries *qs, const char *name)
{
        struct query q = { 0 };

        snprintf(q.text, sizeof(q.text), "%s", name);
        for (int k = Q_ANY; k <= Q_V6; k++) {
                q.kind = (enum qkind)k;
                queries_push(qs, &q);
        }
}

bool queries_add_addr(struct queries *qs, const char *addr)
{
        struct query q = { .kind = Q_REV };

        snprintf(q.text, sizeof(q.text), "%s", addr);
        if (inet_pton(AF_INET, addr, q.addr) == 1)
                q.af = AF_INET;
        else if (inet_pton(AF_INET6, addr, q.addr) == 1)
                q.af = AF_INET6;
        else
                return false;
        queries_push(qs, &q);
        return true;
}

void queries_free(struct queries *qs)
{
        free(qs->q);
        memset(qs, 0, sizeof(*qs));
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the N tokens and join them into A's text. */
static void set_tokens(struct answer *a, char **tok, size_t n)
{
        size_t used = 0;

        qsort(tok, n, sizeof(*tok), cmp_str);
        a->text[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                int w = snprintf(a->text + used, sizeof(a->text) - used, "%s%s", i ? " " : "", tok[i]);

                if (w < 0 || (size_t)w >= sizeof(a->text) - used)
                        break;
                used += (size_t)w;
        }
}

#define MAX_TOKENS 160

static void addr_token(int af, const void *addr, char *out, size_t cap)
{
        if (!inet_ntop(af, addr, out, (socklen_t)cap))
                snprintf(out, cap, "?af%d", af);
}

/* Names a reverse answer gives may hold anything: keep them printable and
 * free of spaces so that they stay one token. */
static void name_token(const char *name, char *out, size_t cap)
{
        size_t j = 0;

        for (const unsigned char *s = (const unsigned char *)name; *s && j + 5 < cap; s++)
                j += (size_t)(*s > 0x20 && *s < 0x7f ? snprintf(out + j, cap - j, "%c", *s)
                                                      : snprintf(out + j, cap - j, "\\x%02x", *s));
        out[j] = '\0';
}

void answer_query(const struct nss_module *m, const struct query *q, struct answer *a)
{
        static char buffer[65536];
        char store[MAX_TOKENS][300], *tok[MAX_TOKENS];
        size_t n = 0;
        int err = 0, herr = 0;
        int32_t ttl = 0;

        for (size_t i = 0; i < MAX_TOKENS; i++)
                tok[i] = store[i];
        memset(a, 0, sizeof(*a));
        if (q->kind == Q_ANY) {
                struct gaih_addrtuple *pat = NULL;

                a->status = m->gh4(q->text, &pat, buffer, sizeof(buffer), &err, &herr, &ttl);
                for (struct gaih_addrtuple *t = pat; a->status == NSS_STATUS_SUCCESS && t && n < MAX_TOKENS;
                     t = t->next)
                        addr_token(t->family, t->addr, tok[n++], sizeof(store[0]));
        } else if (q->kind == Q_V4 || q->kind == Q_V6) {
                struct hostent h;
                char *canon = NULL;

                a->status = m->gh3(q->text, q->kind == Q_V4 ? AF_INET : AF_INET6, &h, buffer,
                                   sizeof(buffer), &err, &herr, &ttl, &canon);
                if (a->status == NSS_STATUS_SUCCESS) {
                        for (char **p = h.h_addr_list; *p && n < MAX_TOKENS; p++)
                                addr_token(h.h_addrtype, *p, tok[n++], sizeof(store[0]));
                        /* Aliases are not expected: any is a token of its own. */
                        for (char **p = h.h_aliases; *p && n < MAX_TOKENS; p++) {
                                snprintf(tok[n], sizeof(store[0]), "alias:");
                                name_token(*p, tok[n] + 6, sizeof(store[0]) - 6);
                                n++;
                        }
                }
        } else {
                struct hostent h;

                a->status = m->gha2(q->addr, q->af == AF_INET ? 4 : 16, q->af, &h, buffer,
                                    sizeof(buffer), &err, &herr, &ttl);
                if (a->status == NSS_STATUS_SUCCESS) {
                        name_token(h.h_name, tok[n++], sizeof(store[0]));
                        for (char **p = h.h_aliases; *p && n < MAX_TOKENS; p++)
                                name_token(*p, tok[n++], sizeof(store[0]));
                }
        }
        if (a->status == NSS_STATUS_SUCCESS)
                set_tokens(a, tok, n);
}

const char *status_name(int status)
{
        switch (status) {
        case NSS_STATUS_SUCCESS:
                return "ok";
        case NSS_STATUS_NOTFOUND:
                return "notfound";
        case NSS_STATUS_UNAVAIL:
                return "unavail";
        case NSS_STATUS_TRYAGAIN:
                return "tryagain";
        default:
                return "other";
        }
}

bool answer_ok(const struct answer *a)
{
        return a->status == NSS_STATUS_SUCCESS;
}

bool answer_has(const char *text, const char *token)
{
        size_t n = strlen(token);

        for (const char *p = text; (p = strstr(p, token)); p++)
                if ((p == text || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
                        return true;
        return false;
}

/* Is every token of A in B? */
static bool tokens_within(const char *a, const char *b)
{
        char copy[ANSWER_TEXT], *save = NULL;

        snprintf(copy, sizeof(copy), "%s", a);
        for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
                if (!answer_has(b, t))
                        return false;
        return true;
}

enum verdict answer_compare(const struct answer *good, const struct answer *got)
{
        if (!answer_ok(got))
                return answer_ok(good) ? V_NONE : V_SAME;
        if (!answer_ok(good))
                return V_WRONG;
        if (strcmp(good->text, got->text) == 0)
                return V_SAME;
        return tokens_within(got->text, good->text) ? V_PARTIAL : V_WRONG;
}

const char *verdict_name(enum verdict v)
{
        static const char *const names[] = { "same", "none", "partial", "wrong" };

        return v < V_COUNT ? names[v] : "?";
}

/* --- children ------------------------------------------------------------------ */

static void wait_child(pid_t pid, int out_fd, struct buf *out, unsigned timeout_ms, double start,
                       struct run *r)
{
        bool killed = false;
        int status;

        /* Read what it says until it closes its end or the deadline. */
        while (out_fd >= 0) {
                struct pollfd p = { .fd = out_fd, .events = POLLIN };
                double left = start + timeout_ms - now_ms();
                char chunk[65536];
                ssize_t n;
                int rc;

                if (left <= 0) {
                        kill(pid, SIGKILL);
                        killed = true;
                        break;
                }
                rc = poll(&p, 1, (int)left + 1);
                if (rc < 0 && errno == EINTR)
                        continue;
                if (rc <= 0)
                        continue;
                n = read(out_fd, chunk, sizeof(chunk));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                if (out)
                        buf_append(out, chunk, (size_t)n);
        }
        /* The output is closed: the child should be gone soon. */
        for (;;) {
                pid_t w = waitpid(pid, &status, killed ? 0 : WNOHANG);

                if (w == pid)
                        break;
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0) {
                        status = 0;
                        break;
                }
                if (now_ms() - start > timeout_ms) {
                        kill(pid, SIGKILL);
                        killed = true;
                        continue;
                }
                usleep(200);
        }
        r->ms = now_ms() - start;
        if (killed) {
                r->result = RUN_HANG;
                r->code = 0;
        } else if (WIFSIGNALED(status)) {
                r->result = RUN_SIGNAL;
                r->code = WTERMSIG(status);
        } else if (WEXITSTATUS(status) != 0) {
                r->result = RUN_EXIT;
                r->code = WEXITSTATUS(status);
        } else {
                r->result = RUN_OK;
                r->code = 0;
        }
}

static void stderr_to(const char *path)
{
        int fd;

        if (!path)
                return;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
                dup2(fd, STDERR_FILENO);
                close(fd);
        }
}

int run_child(child_fn fn, void *ctx, const char *err_path, unsigned timeout_ms, struct buf *out,
              struct run *r)
{
        int p[2];
        double start = now_ms();
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -1;
        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return -1;
        }
        if (pid == 0) {
                close(p[0]);
                stderr_to(err_path);
                _exit(fn(ctx, p[1]));
        }
        close(p[1]);
        wait_child(pid, p[0], out, timeout_ms, start, r);
        close(p[0]);
        return 0;
}

int run_exec(char *const argv[], char *const envp[], const char *in_path, const char *out_path,
             unsigned timeout_ms, struct run *r)
{
        int p[2];
        double start = now_ms();
        pid_t pid;

        /* The pipe only tells us when the child is gone (it has no
         * output for us: its output goes to OUT_PATH). */
        if (pipe2(p, O_CLOEXEC) < 0)
                return -1;
        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return -1;
        }
        if (pid == 0) {
                int in = open(in_path ? in_path : "/dev/null", O_RDONLY);
                int o = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);

                close(p[0]);
                if (in < 0 || o < 0)
                        _exit(126);
                dup2(in, STDIN_FILENO);
                dup2(o, STDOUT_FILENO);
                dup2(o, STDERR_FILENO);
                if (in > STDERR_FILENO)
                        close(in);
                if (o > STDERR_FILENO && o != in)
                        close(o);
                /* The write end stays open in the program, as fd 3. */
                if (p[1] != 3) {
                        dup2(p[1], 3);
                        close(p[1]);
                }
                fcntl(3, F_SETFD, 0);
                execve(argv[0], argv, envp);
                _exit(127);
        }
        close(p[1]);
        wait_child(pid, p[0], NULL, timeout_ms, start, r);
        close(p[0]);
        return 0;
}

void run_classify(struct run *r, const char *err_path)
{
        static const struct {
                const char *text;
                int sig;
        } kinds[] = {
                { "AddressSanitizer: SEGV", SIGSEGV }, { "AddressSanitizer: BUS", SIGBUS },
                { "AddressSanitizer: FPE", SIGFPE }, { "AddressSanitizer: ILL", SIGILL },
                { "AddressSanitizer: ABRT", SIGABRT }, { "AddressSanitizer: stack-overflow", SIGSEGV },
        };
        char line[1024];
        FILE *f;

        if (r->result != RUN_EXIT || !err_path || !(f = fopen(err_path, "re")))
                return;
        while (fgets(line, sizeof(line), f))
                for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
                        if (strstr(line, kinds[i].text)) {
                                r->result = RUN_SIGNAL;
                                r->code = kinds[i].sig;
                                fclose(f);
                                return;
                        }
        fclose(f);
}

const char *run_describe(const struct run *r, char *buf, size_t cap)
{
        switch (r->result) {
        case RUN_OK:
                snprintf(buf, cap, "ok");
                break;
        case RUN_EXIT:
                snprintf(buf, cap, "exit %d", r->code);
                break;
        case RUN_SIGNAL:
                snprintf(buf, cap, "SIG%s", sigabbrev_np(r->code) ? sigabbrev_np(r->code) : "?");
                break;
        case RUN_HANG:
                snprintf(buf, cap, "hang (killed after %.0f ms)", r->ms);
                break;
        }
        return buf;
}

void report_summary(const char *path, char *buf, size_t cap)
{
        FILE *f = fopen(path, "re");
        char line[1024];
        size_t used = 0;
        int frames = 0;
        bool started = false;

        buf[0] = '\0';
        if (!f)
                return;
        while (fgets(line, sizeof(line), f) && frames < 8) {
                bool error = strstr(line, "ERROR: AddressSanitizer") || strstr(line, "runtime error") ||
                             strstr(line, "ERROR: LeakSanitizer") || strstr(line, "SUMMARY:");
                bool frame = started && strstr(line, "    #");

                if (error)
                        started = true;
                if (!error && !frame)
                        continue;
                if (frame)
                        frames++;
                if (used + strlen(line) + 8 < cap) {
                        used += (size_t)snprintf(buf + used, cap - used, "    | %s", line);
                }
        }
        fclose(f);
}
