// Autobahn|JS for a browser page: the npm package ships only CommonJS sources, so they are
// bundled here with esbuild. MessagePack and CBOR are left out (their packages need Node's
// streams; Autobahn skips a serializer whose module fails to load), which leaves JSON, the
// only serializer Autobahn's long-poll transport speaks.
import { build, type Plugin } from 'esbuild';

const withoutBinarySerializers: Plugin = {
  name: 'without-binary-serializers',
  setup(build) {
    build.onResolve({ filter: /^(msgpack5|cbor)$/ }, (args) => ({ path: args.path, namespace: 'left-out' }));
    // Loading must succeed (autobahn.js requires both at its top); using them fails.
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: `module.exports = function () { throw new Error(${JSON.stringify(`${args.path} is not in this browser bundle`)}); };`,
      loader: 'js',
    }));
  },
};

let bundle: string | undefined;

/** The bundle as one script that defines `window.autobahn`. */
export async function autobahnBrowserBundle(): Promise<string> {
  if (bundle === undefined) {
    const result = await build({
      entryPoints: [require.resolve('autobahn')],
      bundle: true,
      format: 'iife',
      globalName: 'autobahn',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      // Autobahn expects browserify's `global`.
      define: { global: 'globalThis' },
      plugins: [withoutBinarySerializers],
    });
    bundle = result.outputFiles[0].text;
  }
  return bundle;
}
