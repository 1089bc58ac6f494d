// What a task gives the candidate to read, look at or listen to. A listening recording plays only after
// the station grants the play (it counts plays and refuses beyond the limit, across reloads); the player
// has no seek bar and no pause, so a play cannot be stretched or replayed from the middle. A granted play
// whose audio does not start is handed back to the station and the candidate told; once no play is left
// the button is disabled and says why. The play under way is known to the part screen, which asks before
// the candidate leaves the task (and so stops the recording).
import { useEffect, useId, useRef, useState } from 'react';
import type { Stimulus } from '../../src-shared/content/schema.ts';
import type { SeatCredentials, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { StationError, type BilingualText } from '../../src-shared/errors.ts';
import { seatOf } from '../store/attempt.ts';
import { errorText, useAttempt, useAudio, useExam } from '../store/exam.ts';
import { useText } from '../store/settings.ts';
import { TEXT } from '../text.ts';
import { Bilingual } from '../ui/frame.tsx';

const imageUrls = new Map<string, Promise<string>>();

const blobUrl = (m: { mimeType: string; data: Uint8Array }): string => URL.createObjectURL(new Blob([m.data as Uint8Array<ArrayBuffer>], { type: m.mimeType }));

/** A blob URL for an image of the attempt's package, fetched once per page. */
function useImageUrl(path: string): string | null {
  const exam = useExam();
  const attemptId = useAttempt((s) => s.attemptId);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const seat = seatOf(exam.attempt.getState());
    if (!seat) return;
    const key = `${seat.attemptId}/${path}`;
    let promise = imageUrls.get(key);
    if (!promise) {
      promise = exam.station.getMedia({ ...seat, path }).then(blobUrl);
      promise.catch(() => imageUrls.delete(key));
      imageUrls.set(key, promise);
    }
    let live = true;
    promise.then(
      (u) => live && setUrl(u),
      (error: unknown) => {
        console.error('media not loaded', path, error);
        exam.attempt.setState({ error: errorText(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [exam, attemptId, path]);
  return url;
}

function ImageStimulus({ stimulus }: { stimulus: Extract<Stimulus, { type: 'image' }> }) {
  const url = useImageUrl(stimulus.media);
  return <figure className="stimulus stimulus-image">{url ? <img src={url} alt={stimulus.alt} lang="lv" /> : <div className="image-placeholder" aria-busy="true" />}</figure>;
}

type PlayState = 'idle' | 'starting' | 'playing';

/**
 * What the candidate is told about their last press of Play: refused by the station, the play handed
 * back after the audio failed to start, or not handed back. It belongs to the item it happened on.
 */
type PlayNote = { kind: 'refused' | 'not-granted' | 'returned' | 'not-returned'; text: BilingualText | null; itemId: string | null };

export function AudioStimulus({ stimulus }: { stimulus: Extract<Stimulus, { type: 'audio' }> }) {
  const t = useText();
  const exam = useExam();
  const count = useAudio((s) => s.plays[stimulus.id]);
  // What the station counted before this screen loaded (a reload): the limit holds across reloads.
  const stationUsed = useAttempt((s) => s.view?.audioPlays[stimulus.id]);
  const itemId = useAttempt((s) => s.itemId);
  const [state, setState] = useState<PlayState>('idle');
  const [note, setNote] = useState<PlayNote | null>(null);
  const [position, setPosition] = useState(0);
  const [url, setUrl] = useState<string | null>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const mounted = useRef(true);
  const reasonId = useId();
  const duration = stimulus.durationSeconds ?? 0;

  useEffect(() => {
    const element = audio.current;
    mounted.current = true;
    return () => {
      mounted.current = false;
      element?.pause();
      exam.audio.getState().setPlaying(stimulus.id, false);
    };
  }, [exam, stimulus.id]);

  // A note answers a press of Play on one item: on another item it is no longer about anything.
  useEffect(() => setNote((n) => (n && n.itemId !== itemId ? null : n)), [itemId]);

  const settle = (next: PlayState) => {
    setState(next);
    exam.audio.getState().setPlaying(stimulus.id, next !== 'idle');
  };

  // The station lets the recording's bytes out once per granted play: fetch them after the grant,
  // play them, and let them go when the play ends.
  const release = () => {
    if (url) URL.revokeObjectURL(url);
    setUrl(null);
  };

  const noteCount = (reply: { playLimit: number; remaining: number }) =>
    exam.audio.getState().notePlay(stimulus.id, { used: reply.playLimit - reply.remaining, limit: reply.playLimit });

  /** The audio of a granted play did not start: hand the play back, and say whether that worked. */
  const giveBack = async (seat: SeatCredentials, play: number, at: string | null) => {
    try {
      noteCount(await exam.station.returnAudioPlay({ ...seat, stimulusId: stimulus.id, play }));
      setNote({ kind: 'returned', text: null, itemId: at });
    } catch (error) {
      console.error('play not handed back', error);
      setNote({ kind: 'not-returned', text: errorText(error), itemId: at });
    }
  };

  const play = async () => {
    const seat = seatOf(exam.attempt.getState());
    if (!seat || state !== 'idle') return;
    const at = exam.attempt.getState().itemId;
    setNote(null);
    settle('starting');
    let grant: StationOutput<'grantAudioPlay'>;
    try {
      grant = await exam.station.grantAudioPlay({ ...seat, stimulusId: stimulus.id });
    } catch (error) {
      settle('idle');
      if (error instanceof StationError && error.code === 'PLAY_LIMIT') {
        exam.audio.getState().notePlay(stimulus.id, { used: stimulus.playLimit, limit: stimulus.playLimit });
        setNote({ kind: 'refused', text: error.text, itemId: at });
      } else {
        console.error('play not granted', error);
        setNote({ kind: 'not-granted', text: errorText(error), itemId: at });
      }
      return;
    }
    noteCount(grant);
    let source: string | null = null;
    try {
      source = blobUrl(await exam.station.getMedia({ ...seat, path: stimulus.media }));
      setUrl(source);
      const element = audio.current;
      if (!element) throw new Error('the player is gone');
      element.src = source;
      element.currentTime = 0;
      await element.play();
      if (mounted.current) settle('playing');
    } catch (error) {
      if (source) URL.revokeObjectURL(source);
      // The candidate left the task (told that the play is then used up): nothing to hand back.
      if (!mounted.current) return;
      console.error('audio did not play', error);
      settle('idle');
      setUrl(null);
      await giveBack(seat, grant.play, at);
    }
  };

  const limit = count?.limit ?? stimulus.playLimit;
  const used = count ? Math.min(count.used, limit) : stationUsed !== undefined ? Math.min(stationUsed, limit) : null;
  const none = used !== null && used >= limit;
  const shown = note && note.itemId === itemId ? note : null;
  const total = audio.current?.duration && Number.isFinite(audio.current.duration) ? audio.current.duration : duration;
  return (
    <div className="stimulus stimulus-audio" data-testid={`audio-${stimulus.id}`} data-state={state}>
      <audio
        ref={audio}
        preload="none"
        onTimeUpdate={(e) => setPosition(e.currentTarget.currentTime)}
        onEnded={() => {
          settle('idle');
          setPosition(0);
          release();
        }}
        onPause={() => {
          if (state === 'playing') settle('idle');
        }}
      />
      <button
        type="button"
        className="btn btn-primary"
        onClick={() => void play()}
        disabled={state !== 'idle' || none}
        aria-describedby={none && state === 'idle' ? reasonId : undefined}
        data-testid="play"
      >
        {state !== 'idle' ? t('playing') : t('play')}
      </button>
      <div className="audio-progress" role="progressbar" aria-label={t('audioProgress')} aria-valuemin={0} aria-valuemax={Math.round(total)} aria-valuenow={Math.round(position)}>
        <div className="audio-progress-fill" style={{ width: total > 0 ? `${Math.min(100, (position / total) * 100)}%` : '0%' }} />
      </div>
      <p className="plays" data-testid="plays" data-used={used ?? ''} data-limit={limit}>
        {used === null ? t('playLimit', { limit }) : t('playsUsed', { used, limit })}
      </p>
      {none && state === 'idle' && (
        <p className="plays-none" id={reasonId} data-testid="plays-none">
          {t('playsLeftNone')}
        </p>
      )}
      {shown?.kind === 'refused' && shown.text && (
        <p className="warn" role="alert" data-testid="play-refused">
          ⚠ <Bilingual text={shown.text} />
        </p>
      )}
      {shown?.kind === 'not-granted' && shown.text && (
        <p className="warn" role="alert" data-testid="play-not-granted">
          ⚠ <Bilingual text={shown.text} />
        </p>
      )}
      {shown?.kind === 'returned' && (
        <p className="warn" role="alert" data-testid="play-returned">
          ⚠ <Bilingual text={TEXT.playReturned} />
        </p>
      )}
      {shown?.kind === 'not-returned' && (
        <div className="warn" role="alert" data-testid="play-not-returned">
          <p>
            ⚠ <Bilingual text={TEXT.playNotReturned} />
          </p>
          {shown.text && (
            <p className="small">
              <Bilingual text={shown.text} />
            </p>
          )}
        </div>
      )}
    </div>
  );
}

export function StimulusView({ stimulus }: { stimulus: Stimulus }) {
  if (stimulus.type === 'audio') return <AudioStimulus stimulus={stimulus} />;
  if (stimulus.type === 'image') return <ImageStimulus stimulus={stimulus} />;
  return (
    <article className="stimulus stimulus-text" lang="lv">
      {stimulus.title && <h3>{stimulus.title}</h3>}
      {stimulus.text.split(/\n{2,}/).map((para, i) => (
        <p key={i}>
          {para.split('\n').map((line, j, lines) => (
            <span key={j}>
              {line}
              {j < lines.length - 1 && <br />}
            </span>
          ))}
        </p>
      ))}
    </article>
  );
}
