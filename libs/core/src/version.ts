/** Verbatim's release, shown in the User-Agent and in records' parser versions. */
export const VERBATIM_VERSION = '0.1.0';
