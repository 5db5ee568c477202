import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildPreloadApi } from './api.ts';

contextBridge.exposeInMainWorld('headroom', buildPreloadApi(ipcRenderer, (file) => webUtils.getPathForFile(file)));
