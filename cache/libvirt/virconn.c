/* virconn.c - connecting to libvirt quietly. */
#include <stddef.h>

#include <libvirt/virterror.h>

#include "cache/libvirt/virconn.h"

static void quiet(void *data, virErrorPtr e)
{
        (void)data;
        (void)e;
}

virConnectPtr virtname_virt_open(const char *uri, bool readonly)
{
        virSetErrorFunc(NULL, quiet);
        return readonly ? virConnectOpenReadOnly(uri) : virConnectOpen(uri);
}

const char *virtname_virt_error(void)
{
        const char *m = virGetLastErrorMessage();

        return m ? m : "unknown libvirt error";
}
