import { useEffect, useRef, useState } from 'react';
import type { RefObject } from 'react';

/** The element's width, followed as the window resizes (settled, not on every frame of a drag). */
export function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ro = new ResizeObserver(() => {
      clearTimeout(timer);
      timer = setTimeout(() => setW(Math.floor(el.clientWidth)), 60);
    });
    ro.observe(el);
    setW(Math.floor(el.clientWidth));
    return () => {
      clearTimeout(timer);
      ro.disconnect();
    };
  }, []);
  return [ref, w];
}
