/* nsswitch.h - the hosts line of nsswitch.conf as glibc reads it: the one
 * parser behind enable-nss, disable-nss and doctor, so that what one
 * edits is what the other checks.
 *
 * glibc (2.33 and later, Debian 12's 2.36) takes the LAST line whose first
 * word is "hosts" (leading blanks allowed, the word ended by blanks or
 * ':', so "  hosts : dns" counts); lines starting with '#' are not
 * "hosts" lines.  Each source may carry an action block such as
 * [NOTFOUND=return] or [!UNAVAIL=return] (statuses and actions in any
 * case); a malformed block makes glibc reject the configuration.  A '#'
 * later on the line ends the list here: glibc before 2.33 cut the line
 * there, later versions read the words after it as sources that do not
 * load and are skipped.  glibc 2.33 and later also skip the file's last
 * line when it does not end in a newline (they see the end of the file
 * before they look at the line): such a hosts line is still taken as the
 * hosts line here, marked unterminated, so that enable-nss can add the
 * newline and doctor can say why glibc ignores it. */
#ifndef VIRTNAME_CMD_NSSWITCH_H
#define VIRTNAME_CMD_NSSWITCH_H

#include <stdbool.h>
#include <stddef.h>

/* Statuses on which a source can end the lookup (besides SUCCESS). */
enum {
        NSSWITCH_NOTFOUND = 1,
        NSSWITCH_UNAVAIL = 2,
        NSSWITCH_TRYAGAIN = 4,
};

#define NSSWITCH_MAX_SOURCES 64

struct nsswitch_source {
        const char *name;       /* in the text (not NUL-terminated) */
        size_t len;
        const char *action;     /* its [...] block, or NULL */
        size_t action_len;
        const char *end;        /* just past the name and its block */
        unsigned stops;         /* NSSWITCH_* statuses that end the lookup here */
};

struct nsswitch_hosts {
        const char *line;       /* the hosts line glibc uses, or NULL when none */
        unsigned lineno;        /* its number, from 1 */
        unsigned count;         /* how many hosts lines the text has */
        bool unterminated;      /* the line is the last and lacks its newline */
        const char *list;       /* just past the word "hosts" */
        const char *list_end;   /* the end of its sources: '#', CR, LF or the text's end */
        size_t n;
        struct nsswitch_source src[NSSWITCH_MAX_SOURCES];
        char error[160];        /* not "": why glibc would not accept the line */
};

/* Parse TEXT (LEN bytes; the pointers in H point into it).  Returns 0, or
 * -EINVAL when TEXT holds a NUL byte (not a text file). */
int nsswitch_parse(const char *text, size_t len, struct nsswitch_hosts *h);

/* The index of the first source called NAME, or -1. */
int nsswitch_find(const struct nsswitch_hosts *h, const char *name);

/* The first source before index END whose action block ends the lookup on
 * one of the statuses in MASK, or -1. */
int nsswitch_stopper(const struct nsswitch_hosts *h, size_t end, unsigned mask);

/* Does source S ask the network (dns, resolve, mdns*, nis, ldap, ...)? */
bool nsswitch_is_network(const struct nsswitch_source *s);

#endif
