/* virxml.h - reading the libvirt XML the hooks and the rebuild get:
 * domain XML (qemu hook stdin, virDomainGetXMLDesc) and network XML
 * (network hook <hookData>, virNetworkGetXMLDesc), parsed with libxml2.
 *
 * Each parser takes the element itself or libvirt's hook wrapper
 * <hookData> around it.  Results own their strings; free them with the
 * matching _free().  Parsers return 0, or -EBADMSG with a one-line
 * reason in ERR for XML that is malformed or lacks what is required (a
 * name).  The parser never fetches anything from the network and does
 * not expand entities. */
#ifndef VIRTNAME_VIRXML_H
#define VIRTNAME_VIRXML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/read/record.h"

/* The strings of one interface, owned here: <source network=...> or, for
 * an interface of type bridge, <source bridge=...>, for one of type
 * direct (macvtap) <source dev=...>, <filterref>, and the tap libvirt
 * made for it (<target dev=...>, in a running domain's XML). */
struct virtname_xml_iface {
        char *network, *bridge, *direct, *filter, *port;
};

/* The XML namespace of our element in a domain's <metadata>:
 *
 *   <metadata>
 *     <vnc:addresses xmlns:vnc="urn:virt-name-cache:domain:1">
 *       <vnc:address ip="198.18.22.20"/>
 *       <vnc:address ip="2001:db8::20" mac="52:54:00:22:00:20"/>
 *     </vnc:addresses>
 *   </metadata>
 *
 * An administrator's addresses for the domain (virt-name-cache(1), NAME
 * RULES): each on the interface with MAC, or the domain's first one. */
#define VIRTNAME_XML_NS "urn:virt-name-cache:domain:1"

/* One <vnc:address>: the domain's when MAC is one of its interfaces'. */
struct virtname_xml_admin {
        bool has_mac;
        uint8_t mac[VIRTNAME_MAC_LEN];
        int family;
        uint8_t addr[16];
};

/* A domain as libvirt describes it: D is ready for
 * virtname_edit_put_domain() (its strings point into this struct). */
struct virtname_xml_domain {
        struct virtname_domain d;
        struct virtname_iface *ifaces;      /* d.ifaces points here */
        struct virtname_xml_iface *xifaces; /* behind ifaces[i] */
        char *name;
        size_t n_admin;                     /* addresses in our <metadata> (above) */
        struct virtname_xml_admin *admin;
        bool agent_connected;               /* its guest agent's channel is connected
                                             * (live XML: <target name='org.qemu.
                                             * guest_agent.0' state='connected'/>) */
};

int virtname_xml_parse_domain(const char *xml, size_t len, struct virtname_xml_domain *out,
                         char *err, size_t errlen);
void virtname_xml_domain_free(struct virtname_xml_domain *x);

/* A static DHCP <host> entry of a network. */
struct virtname_xml_host {
        bool has_mac;
        uint8_t mac[VIRTNAME_MAC_LEN];
        int family;
        uint8_t addr[16];
        char *hostname;                /* NULL when none (or invalid) */
};

/* An address of a network's own (an <ip address=...>); LOCAL_PTR: its
 * dnsmasq answers the reverse zone itself (localPtr='yes'). */
struct virtname_xml_addr {
        int family;
        uint8_t addr[16];
        bool local_ptr;
};

/* A network: N is ready for virtname_writer_put_network(). */
struct virtname_xml_network {
        struct virtname_network n;
        char *name, *bridge, *suffix;
        size_t n_hosts;
        struct virtname_xml_host *hosts;
        char *hostsdir;                /* its dnsmasq's hostsdir= option, NULL if none */
        /* The network's first IPv4 and first IPv6 address (its bridge's,
         * where its dnsmasq listens), <dns enable='no'/>, and whether
         * its dnsmasq keeps names in the domain to itself (localOnly='yes'). */
        size_t n_addrs;
        struct virtname_xml_addr addrs[2];
        bool dns_off, domain_local;
};

int virtname_xml_parse_network(const char *xml, size_t len, struct virtname_xml_network *out,
                          char *err, size_t errlen);
void virtname_xml_network_free(struct virtname_xml_network *x);

/* A network port (network hook port-created/port-deleted: <networkport>
 * with its <owner>; plugged/unplugged: <interface> and <domain>). */
struct virtname_xml_port {
        char *domain;                  /* the owning domain's name, NULL if none */
        bool has_uuid;
        uint8_t uuid[VIRTNAME_UUID_LEN];
        uint8_t mac[VIRTNAME_MAC_LEN];
        char *network;                 /* from the <network> beside it, NULL if none */
};

int virtname_xml_parse_port(const char *xml, size_t len, struct virtname_xml_port *out,
                       char *err, size_t errlen);
void virtname_xml_port_free(struct virtname_xml_port *x);

#endif
