/* names.c - lookup keys and host name rules. */
#include <string.h>

#include "names.h"

int vnc_name_normalise(const char *name, char out[VNC_NAME_MAX + 1])
{
        size_t len = strnlen(name, VNC_NAME_MAX + 2);

        if (len > 1 && name[len - 1] == '.')
                len--;
        if (len == 0 || len > VNC_NAME_MAX)
                return -1;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)name[i];

                if (c < 0x20 || c == 0x7f || c == '/')
                        return -1;
                out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (char)c;
        }
        out[len] = '\0';
        return (int)len;
}

static bool hostname_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool vnc_hostname_valid(const char *name)
{
        size_t len = strnlen(name, VNC_NAME_MAX + 1), label = 0;

        if (len == 0 || len > VNC_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                if (name[i] == '.') {
                        if (label == 0)
                                return false;
                        label = 0;
                } else if (!hostname_char(name[i]) || ++label > 63) {
                        return false;
                }
        }
        return label > 0;
}

bool vnc_name_split(const char *name, size_t *base_len, const char **suffix)
{
        const char *dot = strchr(name, '.');

        if (!dot || dot == name || dot[1] == '\0')
                return false;
        *base_len = (size_t)(dot - name);
        *suffix = dot + 1;
        return true;
}
