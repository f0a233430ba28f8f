// The files server's folder: `lantern-files` in this extension's origin-private file system
// (navigator.storage.getDirectory()), shared by every extension page. The offscreen document's
// MCP host reads and writes it for the model; the options page's Tools card adds, lists and
// removes files for the user. Paths come checked (tools::files::path): names joined by `/`,
// never empty, `.` or `..`. Errors reject with the browser's DOMException.

const ROOT = 'lantern-files';

async function root() {
  return (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
}

/** The folder holding `path`'s file, and the file's name; folders are made when `create`. */
async function parentOf(path, create) {
  const names = path.split('/');
  const name = names.pop();
  let folder = await root();
  for (const part of names) folder = await folder.getDirectoryHandle(part, { create });
  return { folder, name };
}

/** Whether `error` says the file or a folder on its way is not there. */
const missing = (error) => error?.name === 'NotFoundError' || error?.name === 'TypeMismatchError';

/** Every file under the folder: `{path, size}`, folders walked through. */
export async function listFiles() {
  const files = [];
  async function walk(folder, prefix) {
    for await (const [name, handle] of folder.entries()) {
      if (handle.kind === 'directory') await walk(handle, `${prefix}${name}/`);
      else files.push({ path: `${prefix}${name}`, size: (await handle.getFile()).size });
    }
  }
  await walk(await root(), '');
  return files;
}

/** The file's bytes, or null when there is none. */
export async function readFile(path) {
  try {
    const { folder, name } = await parentOf(path, false);
    const file = await (await folder.getFileHandle(name)).getFile();
    return new Uint8Array(await file.arrayBuffer());
  } catch (error) {
    if (missing(error)) return null;
    throw error;
  }
}

/** Creates or replaces the file with `data` (bytes or a Blob such as a dropped File). */
export async function writeFile(path, data) {
  const { folder, name } = await parentOf(path, true);
  const handle = await folder.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  try {
    await writable.write(data);
    await writable.close();
  } catch (error) {
    await writable.abort().catch(() => {});
    throw error;
  }
  return null;
}

/** Deletes the file (and the folders it leaves empty); whether there was one. */
export async function deleteFile(path) {
  const names = path.split('/');
  const chain = [await root()];
  try {
    for (const part of names.slice(0, -1)) chain.push(await chain.at(-1).getDirectoryHandle(part));
    await chain.at(-1).getFileHandle(names.at(-1));
  } catch (error) {
    if (missing(error)) return false;
    throw error;
  }
  await chain.at(-1).removeEntry(names.at(-1));
  for (let i = chain.length - 1; i > 0; i--) {
    const empty = (await chain[i].keys().next()).done;
    if (!empty) break;
    await chain[i - 1].removeEntry(names[i - 1]);
  }
  return true;
}
