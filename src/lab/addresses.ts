// The lab's addresses. Only documentation ranges (RFC 5737): 198.51.100.0/24 on the client
// side of the router, 203.0.113.0/24 on the server side. No route leads anywhere else.
export const CLIENT_IP = "198.51.100.2";
export const ROUTER_CLIENT_IP = "198.51.100.1";
export const ROUTER_SERVER_IP = "203.0.113.1";
export const SERVER_IP = "203.0.113.2";
export const PREFIX = 24;
export const SERVER_PORT = 7000;
export const CLIENT_SUBNET = "198.51.100.0/24";
export const SERVER_SUBNET = "203.0.113.0/24";
