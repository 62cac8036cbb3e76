//! The `sm15k` driver end to end against a real IPMI stack (filled in by the SM15000 work).
