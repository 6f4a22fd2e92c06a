export { freePort, portInUse } from '@esp32cloud/broker/free-port';
