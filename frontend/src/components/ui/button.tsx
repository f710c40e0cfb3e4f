import type { ComponentPropsWithRef } from 'react';

export interface ButtonProps extends ComponentPropsWithRef<'button'> {
  variant?: 'default' | 'primary' | 'danger' | 'ghost';
  /** `icon` is a square button holding one glyph (its accessible name comes from `aria-label`). */
  size?: 'md' | 'small' | 'icon';
}

const variants = {
  default: 'border-border bg-surface enabled:hover:bg-surface-2',
  primary: 'border-primary bg-primary text-on-primary enabled:hover:bg-primary-hover',
  danger: 'border-border bg-surface text-danger enabled:hover:bg-surface-2',
  ghost: 'border-transparent enabled:hover:bg-surface-2',
};

const sizes = {
  md: 'min-h-10 px-4 py-2',
  small: 'min-h-9 px-3 py-1 text-sm',
  icon: 'size-9 text-lg leading-none',
};

/** The one button look: pick a variant and a size instead of repeating class strings. */
export function Button({ variant = 'default', size = 'md', className, type = 'button', ...props }: ButtonProps) {
  return (
    <button
      type={type}
      className={`inline-flex cursor-pointer items-center justify-center gap-2 rounded-sm border font-medium disabled:cursor-not-allowed disabled:opacity-60 ${variants[variant]} ${sizes[size]}${className ? ` ${className}` : ''}`}
      {...props}
    />
  );
}
