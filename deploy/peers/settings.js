// Node-RED settings of the peer stack (./tributary bench peers): no editor, the flow of this directory, protobufjs
// with Tributary's own .proto for the decode step. PEER_* variables come from the bench (PeerStack).
const path = require('path');
const protobuf = require(path.join(process.env.PEER_MODULES, 'protobufjs'));
const root = protobuf.loadSync(process.env.PEER_PROTO);

module.exports = {
    flowFile: path.join(__dirname, 'flows.json'),
    userDir: process.env.PEER_USER_DIR,
    uiHost: '127.0.0.1',
    uiPort: Number(process.env.PEER_HTTP_PORT),
    disableEditor: true,
    credentialSecret: false,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    functionGlobalContext: { ReadingBatch: root.lookupType('tributary.v1.ReadingBatch') }
};
