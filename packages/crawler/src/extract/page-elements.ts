/** The parts of a parsed document (cheerio's domhandler nodes) that the extractors read. */
export interface DomNode {
  type: string;
  parent: DomNode | null;
  children?: DomNode[];
}

interface DomText extends DomNode {
  data: string;
}

export interface DomElement extends DomNode {
  name: string;
  attribs: Record<string, string | undefined>;
}

/**
 * The elements the crawler reads from a page, in document order, each list what the CSS
 * selector in its comment would select. Found in one walk of the tree instead of one
 * selector match (parsed, compiled and walked again) per list.
 */
export interface PageElements {
  /** `base[href]`, the first. */
  base: DomElement | undefined;
  /** `a[href]` */
  anchors: DomElement[];
  /** `[itemtype*="schema.org/Product" i]` */
  productScopes: DomElement[];
  /** `title`, the first. */
  title: DomElement | undefined;
  /** `script[type="application/ld+json" i]` */
  jsonLd: DomElement[];
  /** `[itemscope][itemtype]` */
  itemScopes: DomElement[];
  /** `meta` */
  metas: DomElement[];
  /** `img[src]`, counted. */
  images: number;
}

const PRODUCT_ITEMTYPE = /schema\.org\/Product/i;
const JSON_LD = 'application/ld+json';

// domhandler's isTag: the element types (a <script> or <style> is its own type).
const isElement = (node: DomNode): node is DomElement => node.type === 'tag' || node.type === 'script' || node.type === 'style';
// css-select's attribute test: present and not null (domutils' hasAttrib).
const has = (el: DomElement, name: string) => Object.prototype.hasOwnProperty.call(el.attribs, name) && el.attribs[name] != null;

/** The text of a node and its descendants, comments left out: cheerio's `.text()` (domutils' textContent). */
export function textOf(node: DomNode): string {
  if (node.type === 'text') return (node as DomText).data;
  if (!node.children || node.type === 'comment') return '';
  let text = '';
  for (const child of node.children) text += textOf(child);
  return text;
}

/**
 * Walks the document once, in the order css-select's findAll visits it (depth first, every
 * node with children, a <template>'s content included), and sorts the elements into lists.
 */
export function pageElements(root: DomNode): PageElements {
  const found: PageElements = { base: undefined, anchors: [], productScopes: [], title: undefined, jsonLd: [], itemScopes: [], metas: [], images: 0 };
  // An explicit stack: a deeply nested page must not overflow the call stack.
  const stack: DomNode[] = [];
  pushChildren(stack, root);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isElement(node)) collect(found, node);
    pushChildren(stack, node);
  }
  return found;
}

function pushChildren(stack: DomNode[], node: DomNode): void {
  const children = node.children;
  if (children) for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
}

function collect(found: PageElements, el: DomElement): void {
  const attribs = el.attribs;
  switch (el.name) {
    case 'a':
      if (has(el, 'href')) found.anchors.push(el);
      break;
    case 'img':
      if (has(el, 'src')) found.images++;
      break;
    case 'meta':
      found.metas.push(el);
      break;
    case 'title':
      found.title ??= el;
      break;
    case 'base':
      if (found.base === undefined && has(el, 'href')) found.base = el;
      break;
    case 'script': {
      const type = attribs.type;
      if (type != null && type.length === JSON_LD.length && type.toLowerCase() === JSON_LD) found.jsonLd.push(el);
      break;
    }
  }
  const itemtype = attribs.itemtype;
  if (itemtype != null) {
    if (PRODUCT_ITEMTYPE.test(itemtype)) found.productScopes.push(el);
    if (has(el, 'itemscope')) found.itemScopes.push(el);
  }
}
