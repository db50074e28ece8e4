// The lab's addresses. Only documentation ranges: 198.51.100.0/24 on the client side of the
// router and 203.0.113.0/24 on the server side (RFC 5737); with --ipv6, 2001:db8:1::/64 and
// 2001:db8:2::/64 (RFC 3849). No route leads anywhere else.

export interface AddressPlan {
  family: "ipv4" | "ipv6";
  client: string;
  routerClient: string;
  routerServer: string;
  server: string;
  prefix: number;
  clientSubnet: string;
  serverSubnet: string;
  /** A single host route's length: /32 or /128. */
  hostPrefix: number;
  /** IPv6 addresses are "nodad", so that they work at once (no duplicate address detection). */
  nodad: boolean;
}

export const IPV4: AddressPlan = {
  family: "ipv4",
  client: "198.51.100.2",
  routerClient: "198.51.100.1",
  routerServer: "203.0.113.1",
  server: "203.0.113.2",
  prefix: 24,
  clientSubnet: "198.51.100.0/24",
  serverSubnet: "203.0.113.0/24",
  hostPrefix: 32,
  nodad: false,
};

export const IPV6: AddressPlan = {
  family: "ipv6",
  client: "2001:db8:1::2",
  routerClient: "2001:db8:1::1",
  routerServer: "2001:db8:2::1",
  server: "2001:db8:2::2",
  prefix: 64,
  clientSubnet: "2001:db8:1::/64",
  serverSubnet: "2001:db8:2::/64",
  hostPrefix: 128,
  nodad: true,
};

export const SERVER_PORT = 7000;
