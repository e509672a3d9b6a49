/* nsswitch.c - the hosts line of nsswitch.conf as glibc reads it (see
 * nsswitch.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd/nsswitch.h"

enum { ACT_RETURN, ACT_CONTINUE, ACT_MERGE };
enum { ST_SUCCESS, ST_NOTFOUND, ST_UNAVAIL, ST_TRYAGAIN, ST_COUNT };

/* isspace() in the C locale, as glibc's parser uses it. */
static bool blank(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static const char *skip_blanks(const char *p, const char *end)
{
        while (p < end && blank(*p))
                p++;
        return p;
}

/* A word inside an action block: up to a blank, '=' or ']'. */
static const char *block_word(const char *p, const char *end)
{
        while (p < end && !blank(*p) && *p != '=' && *p != ']')
                p++;
        return p;
}

static bool word_is(const char *w, size_t len, const char *s)
{
        return len == strlen(s) && strncasecmp(w, s, len) == 0;
}

static int status_of(const char *w, size_t len)
{
        static const char *const names[ST_COUNT] = { "SUCCESS", "NOTFOUND", "UNAVAIL", "TRYAGAIN" };

        for (int i = 0; i < ST_COUNT; i++)
                if (word_is(w, len, names[i]))
                        return i;
        return -1;
}

static int action_of(const char *w, size_t len)
{
        return word_is(w, len, "return") ? ACT_RETURN : word_is(w, len, "continue") ? ACT_CONTINUE
               : word_is(w, len, "merge") ? ACT_MERGE : -1;
}

/* The [...] block at P (just past '['), into ACT; returns the end of the
 * block, or NULL with H->error set. */
static const char *parse_block(struct nsswitch_hosts *h, const char *p, const char *end, int act[ST_COUNT])
{
        p = skip_blanks(p, end);
        do {
                bool not = p < end && *p == '!';
                const char *w = p + not, *we = block_word(w, end);
                int st = status_of(w, (size_t)(we - w)), a, save;

                if (st < 0) {
                        snprintf(h->error, sizeof(h->error), "unknown status '%.*s' in an action block",
                                 (int)(we - w), w);
                        return NULL;
                }
                p = skip_blanks(we, end);
                if (p == end || *p != '=') {
                        snprintf(h->error, sizeof(h->error), "no '=' after '%.*s'", (int)(we - w), w);
                        return NULL;
                }
                w = skip_blanks(p + 1, end);
                we = block_word(w, end);
                a = action_of(w, (size_t)(we - w));
                if (a < 0) {
                        snprintf(h->error, sizeof(h->error), "unknown action '%.*s' in an action block",
                                 (int)(we - w), w);
                        return NULL;
                }
                /* "!STATUS=ACTION": every other status gets ACTION. */
                save = act[st];
                for (int i = 0; not && i < ST_COUNT; i++)
                        act[i] = a;
                act[st] = not ? save : a;
                p = skip_blanks(we, end);
                if (p == end) {
                        snprintf(h->error, sizeof(h->error), "an action block without its ']'");
                        return NULL;
                }
        } while (*p != ']');
        return p + 1;
}

/* The sources of the line H->list .. H->list_end. */
static void parse_sources(struct nsswitch_hosts *h)
{
        const char *p = h->list, *end = h->list_end;

        /* Past the blanks and colons after "hosts". */
        while (p < end && (blank(*p) || *p == ':'))
                p++;
        for (;;) {
                struct nsswitch_source *s;
                int act[ST_COUNT] = { ACT_RETURN, ACT_CONTINUE, ACT_CONTINUE, ACT_CONTINUE };
                const char *q;

                p = skip_blanks(p, end);
                if (p == end)
                        return;
                if (*p == '[') {
                        /* glibc stops reading the line here. */
                        snprintf(h->error, sizeof(h->error), "an action block without a source before it");
                        return;
                }
                if (h->n == NSSWITCH_MAX_SOURCES) {
                        snprintf(h->error, sizeof(h->error), "more than %d sources", NSSWITCH_MAX_SOURCES);
                        return;
                }
                s = &h->src[h->n];
                memset(s, 0, sizeof(*s));
                s->name = p;
                while (p < end && !blank(*p) && *p != '[')
                        p++;
                s->len = (size_t)(p - s->name);
                s->end = p;
                q = skip_blanks(p, end);
                if (q < end && *q == '[') {
                        p = parse_block(h, q + 1, end, act);
                        if (!p)
                                return;
                        s->action = q;
                        s->action_len = (size_t)(p - q);
                        s->end = p;
                }
                s->stops = (act[ST_NOTFOUND] != ACT_CONTINUE ? NSSWITCH_NOTFOUND : 0) |
                           (act[ST_UNAVAIL] != ACT_CONTINUE ? NSSWITCH_UNAVAIL : 0) |
                           (act[ST_TRYAGAIN] != ACT_CONTINUE ? NSSWITCH_TRYAGAIN : 0);
                h->n++;
        }
}

int nsswitch_parse(const char *text, size_t len, struct nsswitch_hosts *h)
{
        const char *end = text + len, *line = text;
        unsigned lineno = 0;

        memset(h, 0, sizeof(*h));
        if (memchr(text, '\0', len))
                return -EINVAL;
        while (line < end) {
                const char *nl = memchr(line, '\n', (size_t)(end - line)), *eol = nl ? nl : end;
                const char *p = skip_blanks(line, eol), *name = p;

                lineno++;
                while (p < eol && !blank(*p) && *p != ':' && *p != '#')
                        p++;
                /* glibc needs something after the name, if only the newline. */
                if (p - name == 5 && memcmp(name, "hosts", 5) == 0 && (p < eol ? *p != '#' : nl != NULL)) {
                        const char *hash = memchr(p, '#', (size_t)(eol - p));

                        h->line = line;
                        h->lineno = lineno;
                        h->unterminated = nl == NULL;
                        h->list = p;
                        h->list_end = hash ? hash : eol;
                        /* CR of a CRLF line: not part of the list. */
                        if (h->list_end > p && h->list_end[-1] == '\r')
                                h->list_end--;
                        h->count++;
                }
                line = eol + 1;
        }
        if (h->line)
                parse_sources(h);
        return 0;
}

int nsswitch_find(const struct nsswitch_hosts *h, const char *name)
{
        for (size_t i = 0; i < h->n; i++)
                if (h->src[i].len == strlen(name) && memcmp(h->src[i].name, name, h->src[i].len) == 0)
                        return (int)i;
        return -1;
}

int nsswitch_stopper(const struct nsswitch_hosts *h, size_t end, unsigned mask)
{
        for (size_t i = 0; i < end && i < h->n; i++)
                if (h->src[i].stops & mask)
                        return (int)i;
        return -1;
}

bool nsswitch_is_network(const struct nsswitch_source *s)
{
        static const char *const names[] = { "dns", "resolve", "nis", "nisplus", "ldap", "wins", "hesiod" };

        if (s->len >= 4 && memcmp(s->name, "mdns", 4) == 0)
                return true;
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (s->len == strlen(names[i]) && memcmp(s->name, names[i], s->len) == 0)
                        return true;
        return false;
}
