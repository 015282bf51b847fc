// Loads a classic <script> once (the player libraries are UMD builds that set a global),
// so the page fetches only the library of the type it plays.
const loading = new Map();

export function loadScript(src) {
  let p = loading.get(src);
  if (!p) {
    p = new Promise((resolve, reject) => {
      const el = document.createElement('script');
      el.src = src;
      el.onload = () => resolve();
      el.onerror = () => {
        loading.delete(src); // let a later retry fetch it again
        reject(new Error(`could not load ${src}`));
      };
      document.head.append(el);
    });
    loading.set(src, p);
  }
  return p;
}
