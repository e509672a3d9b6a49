/* fdpass-recv - stands in for ssh's side of ProxyUseFdpass: runs a
 * ProxyCommand with a socketpair as its standard output, receives the
 * descriptor it passes, and prints the peer address of that socket.
 *
 *   fdpass-recv COMMAND [ARGS...]
 * Exit status: the command's, or 3 when it exited 0 without passing a
 * connected socket.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        int sv[2], status, fd = -1;
        char byte, ctl[CMSG_SPACE(sizeof(int))], text[INET6_ADDRSTRLEN];
        struct iovec iov = { &byte, 1 };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                              .msg_controllen = sizeof(ctl) };
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        pid_t pid;

        if (argc < 2 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
                return 2;
        pid = fork();
        if (pid == 0) {
                dup2(sv[1], STDOUT_FILENO);
                close(sv[0]);
                close(sv[1]);
                execvp(argv[1], argv + 1);
                _exit(127);
        }
        close(sv[1]);
        if (recvmsg(sv[0], &msg, 0) > 0) {
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

                if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        }
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
        if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) < 0) {
                fprintf(stderr, "fdpass-recv: no connected socket was passed\n");
                return 3;
        }
        if (ss.ss_family == AF_INET)
                printf("passed: tcp %s port %u\n",
                       inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, text, sizeof(text)),
                       ntohs(((struct sockaddr_in *)&ss)->sin_port));
        else if (ss.ss_family == AF_INET6)
                printf("passed: tcp %s port %u\n",
                       inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, text, sizeof(text)),
                       ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
        else if (ss.ss_family == AF_VSOCK)
                printf("passed: vsock cid %u port %u\n", ((struct sockaddr_vm *)&ss)->svm_cid,
                       ((struct sockaddr_vm *)&ss)->svm_port);
        return 0;
}
