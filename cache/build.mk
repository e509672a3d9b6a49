# cache/: the store and everything that feeds it or follows it, in layers;
# each uses only the ones listed before it (README, "How it works"):
#   read/     the snapshot format and the name rules: all the NSS module links
#   write/    the private store: one write transaction, publishing the snapshot
#   libvirt/  what libvirt says: its XML, a connection to it
#   derive/   what follows a commit besides the snapshot: the DNS queue,
#             dnsmasq's hosts directories, exports, systemd-resolved
#   ingest/   what comes in: events (and their spool), lease rules, the
#             importers a rebuild reads, and the commit pipeline
# libvirtname.a holds them all; the programs on top (cmd/, hooks/, proxy/,
# dns/) link it, the NSS module takes read/ alone.
READ_SRCS := $(addprefix cache/read/,schema.c paths.c names.c record.c reserved.c \
             delta.c base.c view.c lookup.c answers.c reader.c)
WRITE_SRCS := $(addprefix cache/write/,writer.c answers-update.c publish.c fileio.c errmsg.c)
LIBVIRT_SRCS := $(addprefix cache/libvirt/,virxml.c virconn.c agent.c agent-child.c hostaddr.c)
DERIVE_SRCS := $(addprefix cache/derive/,affected.c queue.c hostsdir.c export.c)
INGEST_SRCS := $(addprefix cache/ingest/,event.c edit.c spool.c missed.c lease.c update.c probe.c asks.c \
               neigh.c replay.c)
LIB_SRCS := $(READ_SRCS) $(WRITE_SRCS) $(LIBVIRT_SRCS) $(DERIVE_SRCS) $(INGEST_SRCS)
$(B)/libvirtname.a: $(addprefix $(B)/obj/,$(LIB_SRCS:.c=.o))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^
ALL += $(B)/libvirtname.a
# The same, position-independent, for the lease helper's lease-record.so.
$(B)/libvirtname-pic.a: $(addprefix $(B)/pic/,$(LIB_SRCS:.c=.o))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# What only a rebuild reads (the command): libvirt's lease files and API.
IMPORT_SRCS := $(addprefix cache/ingest/,from-leasefiles.c from-libvirt.c prior.c warn.c)
# systemd-resolved, over sd-bus: the network hook and doctor only.
RESOLVED_SRCS := cache/derive/resolved.c
