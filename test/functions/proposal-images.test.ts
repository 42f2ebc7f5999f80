/**
 * Image checks of proposals through the local cloud's security.mediaCheckAsync stand-in: an
 * image waits hidden from everyone but its proposer until its verdict is pushed; a pass shows
 * it, anything else refuses it; a verdict a client forges, or one for a trace id the function
 * never handed out, changes nothing; a check that could not be asked is asked again by the timer.
 */
import type { Page, ProposalCard, ProposalCategory, ProposalView, Result } from '../../typings';
import { MESSAGE_PUSH_SOURCE } from '../../local-cloud/src/message-push';
import { call, holdMediaChecks, mediaChecks, releaseMediaChecks, waitFor, waitForMediaChecks } from '../helpers/local-cloud';
import { APPID } from '../helpers/notice-fixtures';
import { BASE, code, dataOf, plus, PNG, type ProposalWorld, type Reader, RISKY_PNG, useProposalWorld } from '../helpers/proposal-fixtures';

let w: ProposalWorld;
useProposalWorld('i', (world) => (w = world), { PROPOSAL_DAILY_LIMIT: '100' });

let handler: Reader;
let author: Reader;
let other: Reader;
let category: ProposalCategory;

beforeAll(async () => {
  [handler, author, other] = await Promise.all([w.booker(), w.booker(), w.booker()]);
  category = await w.category([handler]);
});

beforeEach(async () => {
  w.resetClock();
  // A failed test may leave checks held: they must not count as this test's.
  await releaseMediaChecks(w.cloud);
  await holdMediaChecks(w.cloud, false);
});

/** A public proposal by `author` with images of these bytes, its checks held. */
async function withImages(...images: Buffer[]): Promise<{ view: ProposalView; traceIds: string[] }> {
  await holdMediaChecks(w.cloud);
  const asked = (await mediaChecks(w.cloud)).length;
  const requestId = w.requestId();
  const ids: string[] = [];
  for (const bytes of images) ids.push(await w.upload(requestId, bytes));
  const view = await w.submitMust(author, { categoryId: category.id, requestId, imageFileIds: ids });
  await w.makePublic(view.id);
  // The checks are asked right after the submit.
  await waitFor(async () => (await mediaChecks(w.cloud)).length === asked + images.length, 'the image checks asked');
  const traceIds = (await mediaChecks(w.cloud)).slice(asked).map((check) => check.traceId as string);
  return { view, traceIds };
}

function checksOf(view: ProposalView): (string | undefined)[] {
  return view.images.map((image) => image.check);
}

async function cardOf(who: Reader, proposalId: string): Promise<ProposalCard | undefined> {
  const page = await w.pMust<Page<ProposalCard>>('proposals.public', { sort: 'newest', categoryId: category.id }, who);
  return page.items.find((c) => c.id === proposalId);
}

/** The verdict event as WeChat's 消息推送 delivers it to the function. */
function pushed(traceId: string, suggest: string, openid = author.openid as string): Record<string, unknown> {
  return { ToUserName: 'gh_local', FromUserName: openid, CreateTime: Math.floor(Date.now() / 1000), MsgType: 'event', Event: 'wxa_media_check', appid: APPID, trace_id: traceId, version: 2, result: { suggest, label: '100' } };
}

describe('pending, passed and refused images', () => {
  test('pending: shown to the proposer only, with its check; others see no image and count none', async () => {
    const { view } = await withImages(PNG, PNG);
    expect(checksOf(view)).toEqual(['pending', 'pending']);
    expect(checksOf(dataOf(await w.read(author, view.id)))).toEqual(['pending', 'pending']);
    for (const who of [handler, other]) {
      expect(dataOf(await w.read(who, view.id)).images).toEqual([]);
      expect((await cardOf(who, view.id))?.imageCount).toBe(0);
    }
    expect((await w.pMust<Page<ProposalCard>>('proposals.mine', {}, author)).items.find((c) => c.id === view.id)?.imageCount).toBe(2);
  });

  test('a pass delivered shows the image to everyone (without a check); a risky one stays hidden and the proposer sees it refused', async () => {
    const { view } = await withImages(PNG, RISKY_PNG);
    const released = await releaseMediaChecks(w.cloud);
    expect(released.map((r) => [r.verdict, r.state])).toEqual([
      ['pass', 'delivered'],
      ['risky', 'delivered'],
    ]);
    expect(checksOf(dataOf(await w.read(author, view.id)))).toEqual(['passed', 'refused']);
    for (const who of [handler, other]) {
      const seen = dataOf(await w.read(who, view.id));
      expect(seen.images).toHaveLength(1);
      expect(seen.images[0].check).toBeUndefined();
      expect((await cardOf(who, view.id))?.imageCount).toBe(1);
    }
    // The one shown is the image that passed: its link downloads the clean bytes.
    const shown = dataOf(await w.read(other, view.id)).images[0].url;
    const response = await fetch(shown);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG);
  });

  test('checks run without holding: the verdicts arrive on their own', async () => {
    const requestId = w.requestId();
    const ids = [await w.upload(requestId, PNG), await w.upload(requestId, RISKY_PNG)];
    const view = await w.submitMust(author, { categoryId: category.id, requestId, imageFileIds: ids });
    await waitForMediaChecks(w.cloud);
    await waitFor(async () => checksOf(dataOf(await w.read(author, view.id))).every((c) => c !== 'pending'), 'the verdicts');
    expect(checksOf(dataOf(await w.read(author, view.id)))).toEqual(['passed', 'refused']);
  });

  test("a verdict other than pass ('review') refuses the image", async () => {
    const { view, traceIds } = await withImages(PNG);
    await releaseMediaChecks(w.cloud, { traceId: traceIds[0], verdict: 'review' });
    expect(checksOf(dataOf(await w.read(author, view.id)))).toEqual(['refused']);
    expect(dataOf(await w.read(other, view.id)).images).toEqual([]);
  });

  test('the check is asked with the proposer’s openid, scene 3 and a link that downloads the image', async () => {
    const { traceIds } = await withImages(PNG);
    const check = (await mediaChecks(w.cloud)).find((c) => c.traceId === traceIds[0]);
    expect(check).toMatchObject({ openid: author.openid, scene: 3, mediaType: 2, errCode: 0, state: 'held' });
    const response = await fetch(check?.mediaUrl as string);
    expect(response.status).toBe(200);
    await releaseMediaChecks(w.cloud);
  });
});

describe('forged and unknown verdicts', () => {
  test('a wxa_media_check event sent by a client is FORBIDDEN and changes nothing, even with the real trace id', async () => {
    const { view, traceIds } = await withImages(RISKY_PNG);
    const before = w.stored(['proposals', 'proposal_media']);
    for (const caller of [author, other, handler]) {
      const reply = await call<Result<unknown>>(w.cloud, 'proposal', pushed(traceIds[0], 'pass', caller.openid as string), caller);
      expect(code(reply.body)).toBe('FORBIDDEN');
    }
    expect(w.stored(['proposals', 'proposal_media'])).toBe(before);
    expect(checksOf(dataOf(await w.read(author, view.id)))).toEqual(['pending']);
    expect(dataOf(await w.read(other, view.id)).images).toEqual([]);
    await releaseMediaChecks(w.cloud);
    expect(checksOf(dataOf(await w.read(author, view.id)))).toEqual(['refused']);
  });

  test('a push with a trace id the function never handed out changes nothing', async () => {
    const { view } = await withImages(PNG);
    const before = w.stored(['proposals', 'proposal_media']);
    const { status } = await w.cloud.cloud.invoke('proposal', pushed('00000000-00000000-00000000', 'pass'), { openid: author.openid, appid: APPID, source: MESSAGE_PUSH_SOURCE });
    expect(status).toBe(200);
    expect(w.stored(['proposals', 'proposal_media'])).toBe(before);
    expect(checksOf(dataOf(await w.read(author, view.id)))).toEqual(['pending']);
    await releaseMediaChecks(w.cloud);
  });
});

describe('the images a proposal keeps', () => {
  test('are copies the function wrote: the uploads are removed, and writing over an upload afterwards changes nothing shown', async () => {
    await holdMediaChecks(w.cloud);
    const requestId = w.requestId();
    const upload = await w.upload(requestId, PNG);
    const view = await w.submitMust(author, { categoryId: category.id, requestId, imageFileIds: [upload] });
    await w.makePublic(view.id);
    // What is checked is the copy, in a sub-folder of this attempt's own (random, so nobody can write it ahead) that no submit may name.
    const kept = new RegExp(`^proposal-images/${requestId}/kept/[0-9a-f]{16}/0\\.png$`);
    const checked = async () => (await mediaChecks(w.cloud)).filter((c) => c.state === 'held').map((c) => c.mediaUrl.split('?')[0].split('/storage/files/')[1]);
    await waitFor(async () => (await checked()).some((path) => kept.test(path)), 'the copy asked for its check');
    expect(await checked()).toEqual([expect.stringMatching(kept)]);
    await releaseMediaChecks(w.cloud);
    expect(w.cloud.cloud.storage.list(`proposal-images/${requestId}/`).map((file) => file.cloudPath)).toEqual([expect.stringMatching(kept)]);
    // The proposer writes something else where the upload was: what everyone sees is still the copy that passed.
    await w.upload(requestId, RISKY_PNG, upload.split('/').pop());
    const shown = dataOf(await w.read(other, view.id)).images[0].url;
    expect(Buffer.from(await (await fetch(shown)).arrayBuffer())).toEqual(PNG);
  });

  test('a file that is not an image is refused, nothing written', async () => {
    const requestId = w.requestId();
    const notImage = await w.upload(requestId, Buffer.from('%PDF-1.7 not a picture'), 'a.png');
    const before = w.stored(['proposals', 'proposal_authors', 'proposal_media']);
    const result = await w.p('proposals.submit', { ...w.proposalInput(category.id, { requestId, imageFileIds: [notImage] }) }, author);
    expect(result.ok ? 'OK' : `${result.error.code}:${result.error.field}`).toBe('PROPOSAL_IMAGE_INVALID:imageFileIds');
    expect(w.stored(['proposals', 'proposal_authors', 'proposal_media'])).toBe(before);
  });
});

describe('a check that could not be asked', () => {
  async function timer(): Promise<number> {
    return (await w.proposalTimer()).status;
  }

  /**
   * The stand-in answers every well-formed ask, so the failure is planted: the image's check
   * record as a failed ask leaves it (not requested, no trace id, the proposer's openid kept
   * for the next ask).
   */
  function unasked(proposalId: string): void {
    expect(w.patch('proposal_media', { proposalId }, { state: 'unrequested', traceId: null, openid: author.openid as string })).toBe(1);
  }

  test('is asked again by the timer, and its verdict counts; the first ask’s late verdict does not', async () => {
    const { view, traceIds } = await withImages(PNG);
    unasked(view.id);
    w.at(plus(BASE, 5));
    expect(await timer()).toBe(200);
    await waitFor(async () => (await mediaChecks(w.cloud)).some((c) => c.traceId !== traceIds[0] && c.mediaUrl.length > 0 && c.state === 'held'), 'the check asked again');
    const retried = (await mediaChecks(w.cloud)).filter((c) => c.state === 'held' && c.traceId !== traceIds[0]);
    expect(retried).toHaveLength(1);
    // The first ask's verdict, for a trace id the function no longer waits for: nothing.
    await releaseMediaChecks(w.cloud, { traceId: traceIds[0], verdict: 'risky' });
    expect(checksOf(dataOf(await w.read(author, view.id)))).toEqual(['pending']);
    await releaseMediaChecks(w.cloud, { traceId: retried[0].traceId as string });
    expect(checksOf(dataOf(await w.read(author, view.id)))).toEqual(['passed']);
    // Once settled, the timer asks nothing more.
    const asked = (await mediaChecks(w.cloud)).length;
    w.at(plus(BASE, 10));
    await timer();
    expect((await mediaChecks(w.cloud)).length).toBe(asked);
  });

  test('is no longer asked two hours after the submit', async () => {
    const { view } = await withImages(PNG);
    unasked(view.id);
    const asked = (await mediaChecks(w.cloud)).length;
    w.at(plus(BASE, 125));
    await timer();
    expect((await mediaChecks(w.cloud)).length).toBe(asked);
    // Given up: the proposer's openid is not kept beside it any longer.
    expect(w.docs('proposal_media').filter((row) => row.proposalId === view.id).map((row) => [row.state, row.openid])).toEqual([['abandoned', '']]);
    await releaseMediaChecks(w.cloud);
  });
});
