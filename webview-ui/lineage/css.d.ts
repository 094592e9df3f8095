// esbuild bundles the panel's CSS beside its script (dist/webview/lineage.css).
declare module '*.css';
