// The `Server:` header value, read once from package.json so a release bump needs no edit here.
import pkg from '../../../package.json' with { type: 'json' };

export const SERVER_HEADER_VALUE: string = `Sluice/${pkg.version}`;
