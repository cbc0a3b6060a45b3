"""Pure document building, no I/O: QBO data in, checked RSX 7.7 documents out (Invoice 810,
Shipment 856, OrderAck 855, ItemRegistry 832), one sub-package per document with its checks beside
it; the shared parts (the document, its findings, the rules and schemas, totals, addresses, codes)
at this level. The flows that fetch, send and record them are lib/inbound, lib/outbound and
lib/reference."""
