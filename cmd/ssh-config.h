/* ssh-config.h - doctor's ssh check: does `ssh user@qemu/GUEST` go
 * through our proxy, and if not, which file takes those hosts first?
 *
 * ssh keeps the first value it reads for each option, reading
 * ssh_config.d's snippets in name order where ssh_config includes them.
 * Another snippet for the qemu/ hosts that sorts before ours (libvirt's own
 * 30-libvirt-ssh-proxy.conf, were ours named after it) silently wins
 * the options it sets, and ssh mixes its ProxyCommand with our
 * KnownHostsCommand.  The check asks ssh itself (ssh -G, which prints
 * the options a host gets without connecting): the options our snippet
 * sets against what ssh_config gives, and each earlier snippet's own.
 *
 * CONFIG is ssh's system-wide file (VIRTNAME_SSH_CONFIG); our snippet is
 * taken to be ssh_config.d/ beside it, under the name it is installed as.
 * Lines go through REPORT as lsm_check()'s do (lsm.h).
 */
#ifndef VIRTNAME_CMD_SSH_CONFIG_H
#define VIRTNAME_CMD_SSH_CONFIG_H

#include "cmd/lsm.h"

void ssh_config_check(virtname_lsm_report_fn report, void *ctx, const char *config);

#endif
