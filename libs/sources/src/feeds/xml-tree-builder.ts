import { decodeHTMLStrict } from 'entities';
import { Tokenizer } from 'htmlparser2';
import { type XmlNode } from './xml-tree';

/**
 * Reads an XML document into the object tree the feed readers walk: an element with neither attributes nor
 * children is its text (a string), any other is an object with attributes under "@_name", children under their
 * names (one child as a value, several as an array) and text under "#text".
 *
 * Built on htmlparser2's tokenizer, a single linear pass whose text and attribute values arrive as ranges of the
 * document: nothing is accumulated character by character, so a 10 MB body costs a fraction of a second whatever
 * its shape. Well-formedness is checked here: every end tag must close the element it ends, the document must
 * close what it opens, and nesting deeper than `maxDepth` is refused. Entity references are decoded once, with
 * the HTML names feeds use anyway (&nbsp;); no document-declared entity is ever expanded.
 */
export interface XmlTreeOptions {
  maxDepth: number;
  /** Called with the root element's name as soon as it opens, to refuse a document without reading it all. */
  checkRoot?: (name: string) => void;
  /**
   * Elements whose content is kept as written (markup, references and CDATA undecoded), by their path of names
   * from the root, e.g. ['feed', 'entry', 'content']. Inside one only its own end tag is looked for, so markup
   * in it neither counts towards the depth limit nor has to be well-formed.
   */
  isRawContent?: (path: readonly string[]) => boolean;
}

/** Why a document was refused, in words a reader of the account's last error understands. */
export class XmlRefusal extends Error {}

function malformed(reason: string): XmlRefusal {
  return new XmlRefusal(`malformed XML (${reason})`);
}

interface OpenElement {
  name: string;
  attributes: Record<string, string> | null;
  children: Record<string, unknown> | null;
  text: string;
}

/** The raw element being read: where its content starts, and how many same-named elements inside are open. */
interface RawContent {
  element: OpenElement;
  from: number;
  nestedSameName: number;
}

// a reference other than the five XML names: only then is the full HTML table needed
const OTHER_REFERENCE = /&(?!(?:lt|gt|amp|quot|apos);)/;

/**
 * Decodes references once. Text whose references are all among the five XML names (nearly every feed, and the
 * escaped HTML of a description) is decoded by whole-string splits, several times faster on megabytes of
 * `&lt;` than a reference-by-reference decoder; `&amp;` goes last so `&amp;lt;` becomes `&lt;`, not `<`.
 */
function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  if (OTHER_REFERENCE.test(text)) return decodeHTMLStrict(text);
  return text
    .split('&lt;')
    .join('<')
    .split('&gt;')
    .join('>')
    .split('&quot;')
    .join('"')
    .split('&apos;')
    .join("'")
    .split('&amp;')
    .join('&');
}

export function parseXmlTree(xml: string, options: XmlTreeOptions): XmlNode {
  // no prototype: an element named __proto__ is a child like any other
  const document: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const open: OpenElement[] = [];
  const path: string[] = [];
  let raw: RawContent | null = null;
  let tagName = '';
  let tagAttributes: Record<string, string> | null = null;
  let attributeName = '';
  let attributeValue = '';

  const addChild = (name: string, value: unknown): void => {
    const target =
      open.length === 0
        ? document
        : (open[open.length - 1].children ??= Object.create(null) as Record<string, unknown>);
    const existing = target[name];
    if (existing === undefined) target[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else target[name] = [existing, value];
  };

  const close = (element: OpenElement): void => {
    if (element.attributes === null && element.children === null) return addChild(element.name, element.text);
    const node: XmlNode = { ...element.attributes, ...element.children };
    if (element.text !== '') node['#text'] = element.text;
    addChild(element.name, node);
  };

  const startElement = (selfClosing: boolean, endIndex: number): void => {
    if (raw) {
      if (!selfClosing && tagName === raw.element.name) raw.nestedSameName++;
      return;
    }
    if (open.length >= options.maxDepth) {
      throw new XmlRefusal(`elements nested more than ${options.maxDepth} levels deep`);
    }
    if (open.length === 0) options.checkRoot?.(tagName);
    const element: OpenElement = { name: tagName, attributes: tagAttributes, children: null, text: '' };
    tagAttributes = null;
    path.push(tagName);
    if (selfClosing) {
      path.pop();
      return close(element);
    }
    open.push(element);
    if (options.isRawContent?.(path)) raw = { element, from: endIndex + 1, nestedSameName: 0 };
  };

  /** An end tag; `nameStart` is where its name starts (after "</" and any white space). */
  const endElement = (name: string, nameStart: number): void => {
    if (raw) {
      if (name !== raw.element.name) return;
      if (raw.nestedSameName > 0) {
        raw.nestedSameName--;
        return;
      }
      raw.element.text = xml.slice(raw.from, xml.lastIndexOf('</', nameStart));
      raw = null;
    }
    const current = open[open.length - 1];
    if (!current) throw malformed(`the end tag </${name}> closes nothing`);
    if (current.name !== name)
      throw malformed(`the end tag </${name}> where </${current.name}> was expected`);
    open.pop();
    path.pop();
    close(current);
  };

  const appendText = (text: string): void => {
    if (open.length > 0 && !raw) open[open.length - 1].text += text;
  };

  const tokenizer = new Tokenizer(
    { xmlMode: true, decodeEntities: false },
    {
      onopentagname(start, end) {
        tagName = xml.slice(start, end);
        tagAttributes = null;
        // not an XML name, and would pass for an attribute or the text in the tree
        if (!raw && /^[@#]/.test(tagName))
          throw malformed(`<${tagName.slice(0, 40)}> is not an element name`);
      },
      onattribname(start, end) {
        attributeName = xml.slice(start, end);
        attributeValue = '';
      },
      onattribdata(start, end) {
        attributeValue += xml.slice(start, end);
      },
      onattribend() {
        if (!raw) (tagAttributes ??= {})[`@_${attributeName}`] = decodeReferences(attributeValue);
      },
      onopentagend(endIndex) {
        startElement(false, endIndex);
      },
      onselfclosingtag(endIndex) {
        startElement(true, endIndex);
      },
      onclosetag(start, end) {
        endElement(xml.slice(start, end), start);
      },
      ontext(start, end) {
        if (!raw) appendText(decodeReferences(xml.slice(start, end)));
      },
      oncdata(start, end, endOffset) {
        appendText(xml.slice(start, end - endOffset));
      },
      // entity callbacks come only from a decoding tokenizer; comments, declarations (the DOCTYPE guard has
      // read them already) and processing instructions carry nothing a feed reader uses
      onattribentity() {},
      ontextentity() {},
      oncomment() {},
      ondeclaration() {},
      onprocessinginstruction() {},
      onend() {},
    },
  );
  tokenizer.write(xml);
  tokenizer.end();
  if (open.length > 0) {
    throw malformed(`<${open[open.length - 1].name}> is not closed where the document ends`);
  }
  return document;
}
