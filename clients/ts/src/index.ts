// The databounty client for dApps: the code Codama generates from idl/databounty.json
// (instructions, accounts, errors, event codecs) and the few things an IDL cannot say
// (PDAs with computed seeds, the submission and terms hashes, event extraction).
export * from "./generated";
export * from "./helpers";
